// ad-lp: the mmae baseline
(import 'ad_lp.libsonnet').config('mmae')
