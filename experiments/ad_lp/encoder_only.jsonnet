// Ad-LP, encoder_only (Table 4)
(import 'ad_lp.libsonnet').config('encoder_only')
