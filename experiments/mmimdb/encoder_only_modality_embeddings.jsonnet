// mmimdb: the encoder_only_modality_embeddings baseline (Cloud Vision features)
(import 'mmimdb.libsonnet').config('encoder_only_modality_embeddings')
