// ads-parallelity: the concat_fusion baseline (Cloud Vision features); run all folds with allennlp cross-validate
(import 'ads_parallelity.libsonnet').config('concat_fusion')
