// ads-parallelity: the dmms baseline (Cloud Vision features); run all folds with allennlp cross-validate
(import 'ads_parallelity.libsonnet').config('dmms')
