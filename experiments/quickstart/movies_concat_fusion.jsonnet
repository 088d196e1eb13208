// The concat_fusion model on the demo films (the README's comparison table; scripts/compare_models.py).
(import 'movies.libsonnet').config('concat_fusion')
