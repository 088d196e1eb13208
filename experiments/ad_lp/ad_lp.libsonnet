// Ad-LP (conversion-rate regression, Table 4) with a Japanese BERT (d=768, MeCab + WordPiece) and the RMSE loss.
// Settings: change them here, or override the config's keys with `-o` (README).
local encoder = 'cl-tohoku/bert-base-japanese-whole-word-masking';  // the paper's Japanese BERT
local data = 'data/ad_lp';  // train.jsonl, validation.jsonl, test.jsonl (make them with `allennlp group-split`)
local epochs = 30;
local batch_size = 32;
local amp = false;
local common = import '../common.libsonnet';
local modalities = ['keyword', 'title_1', 'title_2', 'title_3', 'description_1', 'description_2', 'path_1', 'path_2',
                    'match_type', 'lp_text', 'safe_search', 'labels', 'objects', 'num_faces',
                    'lighthouse_performance'];
local dmms = { set_dim: 256 };  // Ad-LP is not in 001: D = 256 with the family's rho
{
  config(variant='dm2s2'):: {
    local variant_keys = common.variants[variant] + (if variant == 'dmms' then dmms else {}),
    dataset_reader: {
      type: 'ad_lp',
      modalities: modalities,
      transformer_model_name: encoder,
      max_length: 512,
    },
    train_data_path: data + '/train.jsonl',
    validation_data_path: data + '/validation.jsonl',
    test_data_path: data + '/test.jsonl',
    evaluate_on_test: true,
    // Eq. 17's RMSE, fitted on standardised targets; AUC: converted (rate > 0) vs non-converted ads
    model: common.model({ type: 'regression', auc_threshold: 0.0 }, variant_keys, {
      mlp: { hidden_dims: [256], dropout: 0.1 },
    }, amp),
    data_loader: common.data_loader(batch_size),
    validation_data_loader: common.validation_data_loader(batch_size),
    trainer: common.trainer('-rmse', epochs) + common.trainer_of(variant),
  },
}
