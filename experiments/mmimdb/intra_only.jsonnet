// MM-IMDB, intra_only (Cloud Vision features)
(import 'mmimdb.libsonnet').config('intra_only')
