// Ad-LP, dm2s2 (Table 4)
(import 'ad_lp.libsonnet').config('dm2s2')
