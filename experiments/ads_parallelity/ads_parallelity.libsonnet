// Ads-Parallelity (binary parallel / non-parallel), five-fold cross-validation as in the paper (Table 2).
// DM2S2_ADS_CSV: ads_parallelity_dataset.csv; DM2S2_ADS_FEATURES: one sub-directory per OCR source
// (cloud_vision/, tesseract/, easyocr/). DM2S2_FOLD picks the held-out fold (allennlp cross-validate sets it).
local common = import '../common.libsonnet';
local modalities = ['transcription', 'message', 'naturalness', 'concreteness', 'ocr_text', 'num_faces', 'labels',
                    'objects'];
local dmms = { set_dim: 32 };  // 001: D = 32 and rho [D -> 32 -> 2] for Ads-Parallelity
{
  config(variant='dm2s2', ocr='cloud_vision'):: {
    local variant_keys = common.variants[variant] + (if variant == 'dmms' then dmms else {}),
    local encoder = common.env('DM2S2_PAPER_ENCODER'),
    local data = common.env('DM2S2_ADS_CSV'),
    dataset_reader: {
      type: 'ads_parallelity',
      modalities: modalities,
      features_dir: common.env('DM2S2_ADS_FEATURES') + '/' + ocr,
      transformer_model_name: encoder,
      max_length: 512,
      folds: 5,
      fold: std.parseInt(common.env('DM2S2_FOLD')),
      seed: 13,
    },
    // fold i is the test fold, fold i+1 the validation fold (model selection), the other three train
    train_data_path: data + '#train_minus_validation',
    validation_data_path: data + '#validation',
    test_data_path: data + '#test',
    evaluate_on_test: true,
    datasets_for_vocab_creation: ['train'],
    model: common.model(modalities, 'classification', encoder, variant_keys, {
      mlp_hidden_dims: [32],  // rho as DMMS's [D -> 32 -> 2]
      mlp_dropout: 0.1,
      class_weighting: 'inverse',
      positive_label: 'parallel',
    }),
    data_loader: common.data_loader,
    validation_data_loader: common.validation_data_loader,
    trainer: common.trainer('+accuracy'),
  },
}
