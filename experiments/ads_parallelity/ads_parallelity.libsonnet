// Ads-Parallelity (binary parallel / non-parallel), five-fold cross-validation as in the paper (Table 2).
// Settings: change them here, or override the config's keys with `-o` (README). `allennlp cross-validate` sets the
// reader's `fold` (the held-out test fold; fold + 1 is the validation fold).
local encoder = 'roberta-large';  // the paper's encoder
local csv = 'data/ads_parallelity/ads_parallelity_dataset.csv';
local features = 'data/ads_parallelity/features';  // one sub-directory per OCR source
local epochs = 30;
local batch_size = 32;
local amp = false;
local common = import '../common.libsonnet';
local modalities = ['transcription', 'message', 'naturalness', 'concreteness', 'ocr_text', 'num_faces', 'labels',
                    'objects'];
// 001: D = 32 and rho [D -> 32 -> 2] for Ads-Parallelity, class weights 1/sqrt(frequency)
local dmms = { set_dim: 32, head+: { class_weighting: 'inverse_sqrt' } };
{
  config(variant='dm2s2', ocr='cloud_vision'):: {
    local variant_keys = common.variants[variant] + (if variant == 'dmms' then dmms else {}),
    dataset_reader: {
      type: 'ads_parallelity',
      modalities: modalities,
      features_dir: features + '/' + ocr,
      transformer_model_name: encoder,
      max_length: 512,
      folds: 5,
      fold: 0,
      seed: 13,
    },
    // fold i is the test fold, fold i+1 the validation fold (model selection), the other three train
    train_data_path: csv + '#train_minus_validation',
    validation_data_path: csv + '#validation',
    test_data_path: csv + '#test',
    evaluate_on_test: true,
    datasets_for_vocab_creation: ['train'],
    model: common.model(modalities, encoder,
                        { type: 'classification', class_weighting: 'inverse', positive_label: 'parallel' },
                        variant_keys, {
                          mlp: { hidden_dims: [32], dropout: 0.1 },  // rho as DMMS's [D -> 32 -> 2]
                        }, amp),
    data_loader: common.data_loader(batch_size),
    validation_data_loader: common.validation_data_loader(batch_size),
    trainer: common.trainer('+accuracy', epochs),
  },
}
