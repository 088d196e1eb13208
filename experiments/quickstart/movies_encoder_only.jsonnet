// The encoder_only model on the demo films (the README's comparison table; scripts/compare_models.py).
(import 'movies.libsonnet').config('encoder_only')
