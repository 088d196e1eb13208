// Ads-Parallelity, inter_only (Cloud Vision features); run all folds with allennlp cross-validate
(import 'ads_parallelity.libsonnet').config('inter_only')
