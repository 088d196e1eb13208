from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
from tests.conftest import FIXTURES, TINY_BERT

MOVIE = ["title", "year", "length", "labels", "faces"]


def test_token_bucket_sampler_groups_similar_lengths():
    from dm2s2_allennlp.samplers import TokenBucketBatchSampler

    reader = MultimodalJsonlReader(modalities=MOVIE, transformer_model_name=TINY_BERT)
    instances = list(reader.read(str(FIXTURES / "generic" / "multilabel.jsonl")))
    sampler = TokenBucketBatchSampler(batch_size=3, padding_noise=0.0, seed=0)
    batches = list(sampler.get_batch_indices(instances))
    assert sorted(i for b in batches for i in b) == list(range(8)) and sampler.get_num_batches(instances) == 3
    lengths = [TokenBucketBatchSampler.unified_length(i) for i in instances]
    ranked = sorted(range(8), key=lambda i: lengths[i])
    assert sorted(sorted(lengths[i] for i in b) for b in batches) == \
        sorted(sorted(lengths[i] for i in ranked[k:k + 3]) for k in (0, 3, 6))


def test_without_a_seed_the_batches_follow_pythons_seeded_random():
    """AllenNLP seeds Python's ``random`` with the config's random_seed before it builds the loaders: two runs with
    the same seed get the same batches (before, an unseeded sampler drew from the OS and no run repeated)."""
    import random

    from dm2s2_allennlp.samplers import TokenBucketBatchSampler

    reader = MultimodalJsonlReader(modalities=MOVIE, transformer_model_name=TINY_BERT)
    instances = list(reader.read(str(FIXTURES / "generic" / "multilabel.jsonl")))

    def batches(seed):
        random.seed(seed)
        sampler = TokenBucketBatchSampler(batch_size=2, padding_noise=0.5)
        return [list(sampler.get_batch_indices(instances)) for _ in range(3)]

    assert batches(13) == batches(13)
    assert any(batches(13) != batches(seed) for seed in (14, 15, 16))
