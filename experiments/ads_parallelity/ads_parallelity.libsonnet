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
// 001 on Ads-Parallelity: D = 32, rho [D -> 32 -> 2], psi_sum (DM2S2 Table 2's DMMS figures are 001's psi_sum row),
// and no class weights (001 weights classes on MM-IMDb only)
local dmms = { set_dim: 32, set_pooling: 'sum', head+: { class_weighting: 'none' } };
{
  config(variant='dm2s2', ocr='cloud_vision'):: {
    local variant_keys = common.variants[variant] + (if variant == 'dmms' then dmms else {}),
    dataset_reader: {
      type: 'ads_parallelity',
      modalities: modalities,
      // Table 1's OCR rows change only the OCR source: the other visual modalities stay Cloud Vision's
      features_dir: features + '/cloud_vision',
      ocr_features_dir: if ocr == 'cloud_vision' then null else features + '/' + ocr,
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
    model: common.model({ type: 'classification', class_weighting: 'inverse', positive_label: 'parallel' },
                        variant_keys, {
                          mlp: { hidden_dims: [32], dropout: 0.1 },  // rho as DMMS's [D -> 32 -> 2]
                        }, amp),
    data_loader: common.data_loader(batch_size),
    validation_data_loader: common.validation_data_loader(batch_size),
    trainer: common.trainer('+accuracy', epochs) + common.trainer_of(variant),
  },
}
