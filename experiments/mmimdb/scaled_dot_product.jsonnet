// MM-IMDB, scaled_dot_product (Cloud Vision features)
(import 'mmimdb.libsonnet').config('scaled_dot_product')
