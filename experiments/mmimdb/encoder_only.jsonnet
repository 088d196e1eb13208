// MM-IMDB, encoder_only (Cloud Vision features)
(import 'mmimdb.libsonnet').config('encoder_only')
