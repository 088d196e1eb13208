// MM-IMDB (multi-label, 23 genres): title, plot and the poster's Cloud-Vision-shaped features.
// Settings: change them here, or override the config's keys with `-o` (README).
local encoder = 'roberta-large';  // the paper's encoder (needs its weights locally or in the hub cache)
local data = 'data/mmimdb';  // the unpacked mmimdb/ (split.json + dataset/)
local features = 'data/mmimdb_features';  // one sub-directory per OCR source, one response per poster id
local epochs = 30;
local batch_size = 32;
local amp = false;  // true: the frozen encoder in bfloat16 on CUDA
local common = import '../common.libsonnet';
local modalities = ['title', 'plot', 'ocr_text', 'num_faces', 'labels', 'objects'];
// the fixed 23 genres in GMU's order: all of them are labels even if a split lacks one
local genres = ['Drama', 'Comedy', 'Romance', 'Thriller', 'Crime', 'Action', 'Adventure', 'Horror', 'Documentary',
                'Mystery', 'Sci-Fi', 'Fantasy', 'Family', 'Biography', 'War', 'History', 'Music', 'Animation',
                'Musical', 'Western', 'Sport', 'Short', 'Film-Noir'];
// 001: D = 1024 and rho [D -> 256 -> 128 -> classes] for MM-IMDb, class weights 1/sqrt(frequency)
local dmms = { set_dim: 1024, head+: { class_weighting: 'inverse_sqrt' } };
local merger = { kl_weight: 5e-4 };  // 003's lambda on MM-IMDB (its Table 4)
{
  config(variant='dm2s2', ocr='cloud_vision'):: {
    local variant_keys = common.variants[variant] + (if variant == 'dmms' then dmms else {}) +
                         (if variant == 'modality_attention_merger' then merger else {}),
    dataset_reader: {
      type: 'mmimdb',
      modalities: modalities,
      // Table 1's OCR rows change only the OCR source: the other visual modalities stay Cloud Vision's
      features_dir: features + '/cloud_vision',
      ocr_features_dir: if ocr == 'cloud_vision' then null else features + '/' + ocr,
      transformer_model_name: encoder,
      max_length: 512,
    },
    train_data_path: data + '#train',
    validation_data_path: data + '#dev',
    test_data_path: data + '#test',
    evaluate_on_test: true,
    datasets_for_vocab_creation: ['train'],
    vocabulary: { type: 'from_instances', tokens_to_add: { labels: genres } },
    model: common.model({ type: 'multilabel', class_weighting: 'inverse' },  // Eq. 16
                        variant_keys, {
                          mlp: { hidden_dims: [256, 128], dropout: 0.1 },  // rho as DMMS's [D -> 256 -> 128 -> classes]
                        }, amp),
    data_loader: common.data_loader(batch_size),
    validation_data_loader: common.validation_data_loader(batch_size),
    trainer: common.trainer('+f1_micro', epochs) + common.trainer_of(variant),
  },
}
