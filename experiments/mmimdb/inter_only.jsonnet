// MM-IMDB, inter_only (Cloud Vision features)
(import 'mmimdb.libsonnet').config('inter_only')
