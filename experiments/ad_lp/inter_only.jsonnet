// Ad-LP, inter_only (Table 4)
(import 'ad_lp.libsonnet').config('inter_only')
