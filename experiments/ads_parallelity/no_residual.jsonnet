// Ads-Parallelity, no_residual (Cloud Vision features); run all folds with allennlp cross-validate
(import 'ads_parallelity.libsonnet').config('no_residual')
