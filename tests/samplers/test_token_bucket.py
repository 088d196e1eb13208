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
