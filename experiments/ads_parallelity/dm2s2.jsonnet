// Ads-Parallelity, dm2s2 (Cloud Vision features); run all folds with allennlp cross-validate
(import 'ads_parallelity.libsonnet').config('dm2s2')
