// ads-parallelity: the modality_attention_merger baseline (Cloud Vision features); run all folds with allennlp cross-validate
(import 'ads_parallelity.libsonnet').config('modality_attention_merger')
