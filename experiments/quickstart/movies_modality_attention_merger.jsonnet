// The modality_attention_merger model on the demo films (the README's comparison table; scripts/compare_models.py).
(import 'movies.libsonnet').config('modality_attention_merger')
