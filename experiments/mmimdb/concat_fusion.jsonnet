// mmimdb: the concat_fusion baseline (Cloud Vision features)
(import 'mmimdb.libsonnet').config('concat_fusion')
