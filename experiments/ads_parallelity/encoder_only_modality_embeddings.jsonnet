// ads-parallelity: the encoder_only_modality_embeddings baseline (Cloud Vision features); run all folds with allennlp cross-validate
(import 'ads_parallelity.libsonnet').config('encoder_only_modality_embeddings')
