"""The frozen-encoder state cache: storage (an in-process tier and LMDB on disk), not a network part."""
from dm2s2_allennlp.cache.fingerprint import encoder_fingerprint
from dm2s2_allennlp.cache.state_cache import CacheSettings, EncoderStateCache
