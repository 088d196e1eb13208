// ad-lp: the concat_fusion baseline
(import 'ad_lp.libsonnet').config('concat_fusion')
