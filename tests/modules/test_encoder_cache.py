import multiprocessing as mp

import pytest
import torch
from allennlp.data import Batch, Vocabulary

from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
from dm2s2_allennlp.models import DM2S2
from dm2s2_allennlp.modules.encoder_cache import EncoderStateCache, encoder_fingerprint
from tests.conftest import FIXTURES, TINY_BERT

MOVIE = ["title", "year", "length", "labels", "faces"]


def setup(tmp_path, max_length=64, **kwargs):
    reader = MultimodalJsonlReader(modalities=MOVIE, transformer_model_name=TINY_BERT, max_length=max_length)
    instances = list(reader.read(str(FIXTURES / "generic" / "multilabel.jsonl")))
    vocab = Vocabulary.from_instances(instances)
    batch = Batch(instances)
    batch.index_instances(vocab)
    kwargs.setdefault("cache_directory", str(tmp_path / "cache"))
    torch.manual_seed(0)
    model = DM2S2(vocab, modalities=MOVIE, transformer_model_name=TINY_BERT, max_length=64, **kwargs).eval()
    return model, batch.as_tensor_dict()


def count_encoder_calls(model):
    calls = []
    original = model.encoder.forward

    def counting(*args, **kwargs):
        calls.append(args[0].shape[0])
        return original(*args, **kwargs)

    model.encoder.forward = counting
    return calls


def test_cached_outputs_equal_uncached(tmp_path):
    plain, tensors = setup(tmp_path, cache_encoder_states=False)
    assert plain.cache is None
    exact, _ = setup(tmp_path, cache_dtype="float32")
    exact.load_state_dict(plain.state_dict())
    reference = plain(**tensors)
    for _ in range(2):  # first pass fills the cache, second reads it
        out = exact(**tensors)
        torch.testing.assert_close(out["logits"], reference["logits"], rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(out["intra_weights"], reference["intra_weights"], rtol=1e-5, atol=1e-6)
    half, _ = setup(tmp_path, cache_dtype="float16")
    half.load_state_dict(plain.state_dict())
    first, second = half(**tensors), half(**tensors)
    torch.testing.assert_close(first["logits"], second["logits"], rtol=0, atol=0)  # cached == fresh, bit for bit
    torch.testing.assert_close(first["probs"], reference["probs"], rtol=1e-3, atol=1e-3)
    assert plain.get_metrics(reset=True) == pytest.approx(half.get_metrics(reset=True))


def test_second_epoch_and_a_new_run_do_not_run_the_encoder(tmp_path):
    model, tensors = setup(tmp_path)
    calls = count_encoder_calls(model)
    model(**tensors)
    assert calls == [8]  # every sample computed once
    model(**tensors)
    assert calls == [8] and model.cache.hits == 8
    fresh_run, _ = setup(tmp_path)  # another model object (another run) with the same encoder: reads the disk
    fresh_calls = count_encoder_calls(fresh_run)
    fresh_run.cache.memory.clear()
    fresh_run(**tensors)
    assert fresh_calls == [] and fresh_run.cache.hits == 8


def test_invalidated_by_encoder_weights_and_tokenisation(tmp_path):
    model, tensors = setup(tmp_path)
    model(**tensors)
    changed, _ = setup(tmp_path)
    with torch.no_grad():
        changed.encoder.transformer_model.embeddings.word_embeddings.weight[5] += 1.0
    assert encoder_fingerprint(changed.encoder.transformer_model, TINY_BERT) != model.cache.fingerprint
    truncated, short_tensors = setup(tmp_path, max_length=16)
    truncated.max_length, truncated.budget = 16, 16 - 6
    calls = count_encoder_calls(truncated)
    truncated(**short_tensors)
    assert calls  # other token ids (cut to 16) -> other keys -> computed, not read
    fine_tuned, _ = setup(tmp_path, train_parameters=True)
    assert fine_tuned.cache is None


def _writer(path, offset):
    cache = EncoderStateCache("shared", path, "float32", memory_gb=0)
    keys = [bytes([offset, i]) for i in range(50)]
    cache.put_many(keys, [torch.full((3, 4), float(offset * 100 + i)) for i in range(50)])


def test_several_processes_fill_one_cache(tmp_path):
    context = mp.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(tmp_path), offset)) for offset in (1, 2, 3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    reader = EncoderStateCache("shared", str(tmp_path), "float32", memory_gb=0)
    keys = [bytes([offset, i]) for offset in (1, 2, 3) for i in range(50)]
    states = reader.get_many(keys, torch.device("cpu"))
    assert all(s is not None for s in states)
    assert [float(s[0, 0]) for s in states] == [offset * 100 + i for offset in (1, 2, 3) for i in range(50)]


def test_token_bucket_sampler_groups_similar_lengths():
    from dm2s2_allennlp.dataset_readers import TokenBucketBatchSampler

    reader = MultimodalJsonlReader(modalities=MOVIE, transformer_model_name=TINY_BERT)
    instances = list(reader.read(str(FIXTURES / "generic" / "multilabel.jsonl")))
    sampler = TokenBucketBatchSampler(batch_size=3, padding_noise=0.0, seed=0)
    batches = list(sampler.get_batch_indices(instances))
    assert sorted(i for b in batches for i in b) == list(range(8)) and sampler.get_num_batches(instances) == 3
    lengths = [TokenBucketBatchSampler.unified_length(i) for i in instances]
    ranked = sorted(range(8), key=lambda i: lengths[i])
    assert sorted(sorted(lengths[i] for i in b) for b in batches) == \
        sorted(sorted(lengths[i] for i in ranked[k:k + 3]) for k in (0, 3, 6))


class _Gate:
    """Stands in for a CUDA event: the writer thread waits on it before writing its batch."""

    def __init__(self):
        import threading

        self.open = threading.Event()

    def synchronize(self):
        assert self.open.wait(30)


def test_writes_happen_in_the_background_and_pending_states_are_served(tmp_path):
    cache = EncoderStateCache("async", str(tmp_path), "float32", memory_gb=0)
    gate = _Gate()
    cache.writer.queue.put(([], [], gate))  # holds the writer thread until the gate opens
    keys = [bytes([7, i]) for i in range(5)]
    cache.put_many(keys, [torch.full((2, 3), float(i)) for i in range(5)])  # returns although nothing is written
    other = EncoderStateCache("async", str(tmp_path), "float32", memory_gb=0)  # another run in this process
    pending = other.get_many(keys, torch.device("cpu"))
    assert [float(s[0, 0]) for s in pending] == [0.0, 1.0, 2.0, 3.0, 4.0] and other.hits == 5
    with cache.env.begin() as txn:
        assert txn.get(keys[0]) is None  # not on disk yet
    gate.open.set()
    cache.flush()
    assert not cache.writer.pending
    with cache.env.begin() as txn:
        assert all(txn.get(k) is not None for k in keys)


def test_a_failed_write_is_reported_by_flush(tmp_path):
    cache = EncoderStateCache("broken", str(tmp_path), "float32", memory_gb=0)
    cache.put_many([b"k"], [torch.ones(2, 2)])
    cache.flush()
    cache.writer.submit([b"bad"], [object()])  # not a tensor: the write fails in the thread
    with pytest.raises(RuntimeError, match="writing encoder states to the cache failed"):
        cache.flush()
    cache.flush()  # reported once; the cache keeps working
    assert cache.get_many([b"k"], torch.device("cpu"))[0] is not None


def test_memory_tier_size_defaults_to_2gb_on_cpu_and_40_percent_of_free_gpu_memory(tmp_path, monkeypatch):
    from dm2s2_allennlp.modules import encoder_cache

    cache = EncoderStateCache("auto", str(tmp_path), "float32", disk=False)
    cache.put_many([b"a"], [torch.ones(2, 2)])
    assert cache.memory_limit == 2 * 2**30 and b"a" in cache.memory
    monkeypatch.setattr(encoder_cache.torch.cuda, "mem_get_info", lambda device: (50 * 2**30, 80 * 2**30))
    assert encoder_cache.automatic_memory_limit(torch.device("cuda", 0)) == int(0.4 * 50 * 2**30)
    assert EncoderStateCache("set", str(tmp_path), memory_gb=0.5).memory_limit == 2**29
