// Ad-LP (conversion-rate regression, Table 4) with a Japanese BERT (d=768, MeCab + WordPiece) and the RMSE loss.
// DM2S2_AD_LP_DIR: train.jsonl, validation.jsonl, test.jsonl (make them with `allennlp group-split`).
local common = import '../common.libsonnet';
local modalities = ['keyword', 'title_1', 'title_2', 'title_3', 'description_1', 'description_2', 'path_1', 'path_2',
                    'match_type', 'lp_text', 'safe_search', 'labels', 'objects', 'num_faces',
                    'lighthouse_performance'];
local dmms = { set_dim: 256 };  // Ad-LP is not in 001: D = 256 with the family's rho
{
  config(variant='dm2s2'):: {
    local variant_keys = common.variants[variant] + (if variant == 'dmms' then dmms else {}),
    local encoder = common.env('DM2S2_JAPANESE_ENCODER'),
    local data = common.env('DM2S2_AD_LP_DIR'),
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
    model: common.model(modalities, 'regression', encoder, variant_keys, {
      mlp_hidden_dims: [256],
      mlp_dropout: 0.1,
      auc_threshold: 0.0,  // AUC: converted (rate > 0) vs non-converted ads
    }),
    data_loader: common.data_loader,
    validation_data_loader: common.validation_data_loader,
    trainer: common.trainer('-rmse'),
  },
}
