// MM-IMDB (multi-label, 23 genres): title, plot and the poster's Cloud-Vision-shaped features.
// DM2S2_MMIMDB_DIR: the unpacked mmimdb/ (split.json + dataset/); DM2S2_MMIMDB_FEATURES: a directory with one
// sub-directory per OCR source (cloud_vision/, tesseract/, easyocr/) holding one response per poster id.
local common = import '../common.libsonnet';
local modalities = ['title', 'plot', 'ocr_text', 'num_faces', 'labels', 'objects'];
// the fixed 23 genres in GMU's order: all of them are labels even if a split lacks one
local genres = ['Drama', 'Comedy', 'Romance', 'Thriller', 'Crime', 'Action', 'Adventure', 'Horror', 'Documentary',
                'Mystery', 'Sci-Fi', 'Fantasy', 'Family', 'Biography', 'War', 'History', 'Music', 'Animation',
                'Musical', 'Western', 'Sport', 'Short', 'Film-Noir'];
local dmms = { set_dim: 1024 };  // 001: D = 1024 and rho [D -> 256 -> 128 -> classes] for MM-IMDb
{
  config(variant='dm2s2', ocr='cloud_vision'):: {
    local variant_keys = common.variants[variant] + (if variant == 'dmms' then dmms else {}),
    local encoder = common.env('DM2S2_PAPER_ENCODER'),
    local data = common.env('DM2S2_MMIMDB_DIR'),
    dataset_reader: {
      type: 'mmimdb',
      modalities: modalities,
      features_dir: common.env('DM2S2_MMIMDB_FEATURES') + '/' + ocr,
      transformer_model_name: encoder,
      max_length: 512,
    },
    train_data_path: data + '#train',
    validation_data_path: data + '#dev',
    test_data_path: data + '#test',
    evaluate_on_test: true,
    datasets_for_vocab_creation: ['train'],
    vocabulary: { type: 'from_instances', tokens_to_add: { labels: genres } },
    model: common.model(modalities, 'multilabel', encoder, variant_keys, {
      mlp_hidden_dims: [256, 128],  // rho as DMMS's [D -> 256 -> 128 -> classes]
      mlp_dropout: 0.1,
      class_weighting: 'inverse',  // Eq. 16: w_k = 1 / N_k
    }),
    data_loader: common.data_loader,
    validation_data_loader: common.validation_data_loader,
    trainer: common.trainer('+f1_micro'),
  },
}
