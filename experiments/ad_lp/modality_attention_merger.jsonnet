// ad-lp: the modality_attention_merger baseline
(import 'ad_lp.libsonnet').config('modality_attention_merger')
