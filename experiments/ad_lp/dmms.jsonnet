// ad-lp: the dmms baseline
(import 'ad_lp.libsonnet').config('dmms')
