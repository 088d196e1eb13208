// Ad-LP, intra_only (Table 4)
(import 'ad_lp.libsonnet').config('intra_only')
