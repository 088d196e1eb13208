// mmimdb: the dmms baseline (Cloud Vision features)
(import 'mmimdb.libsonnet').config('dmms')
