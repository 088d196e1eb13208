// MM-IMDB, dm2s2 (Cloud Vision features)
(import 'mmimdb.libsonnet').config('dm2s2')
