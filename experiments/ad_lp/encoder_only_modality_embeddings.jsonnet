// ad-lp: the encoder_only_modality_embeddings baseline
(import 'ad_lp.libsonnet').config('encoder_only_modality_embeddings')
