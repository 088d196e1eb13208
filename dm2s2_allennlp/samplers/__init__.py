"""Batch samplers (registered ``BatchSampler`` parts)."""
from dm2s2_allennlp.samplers.token_bucket import TokenBucketBatchSampler
