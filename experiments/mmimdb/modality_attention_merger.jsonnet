// mmimdb: the modality_attention_merger baseline (Cloud Vision features)
(import 'mmimdb.libsonnet').config('modality_attention_merger')
