// MM-IMDB, no_residual (Cloud Vision features)
(import 'mmimdb.libsonnet').config('no_residual')
