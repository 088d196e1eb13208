// Ads-Parallelity, scaled_dot_product (Cloud Vision features); run all folds with allennlp cross-validate
(import 'ads_parallelity.libsonnet').config('scaled_dot_product')
