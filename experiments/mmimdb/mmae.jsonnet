// mmimdb: the mmae baseline (Cloud Vision features)
(import 'mmimdb.libsonnet').config('mmae')
