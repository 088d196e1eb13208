import pytest
import torch
from allennlp.data import Batch, Vocabulary

from dm2s2_allennlp.dataset_readers import MultimodalJsonlReader
from dm2s2_allennlp.cache import EncoderStateCache, encoder_fingerprint
from tests.conftest import FIXTURES, TINY_BERT, make_model

MOVIE = ["title", "year", "length", "labels", "faces"]


def setup(tmp_path, max_length=64, cache=None, **encoder_args):
    reader = MultimodalJsonlReader(modalities=MOVIE, transformer_model_name=TINY_BERT, max_length=max_length)
    instances = list(reader.read(str(FIXTURES / "generic" / "multilabel.jsonl")))
    vocab = Vocabulary.from_instances(instances)
    batch = Batch(instances)
    batch.index_instances(vocab)
    if cache is not False:
        encoder_args["cache"] = {"directory": str(tmp_path / "cache"), **(cache or {})}
    else:
        encoder_args["cache"] = None
    torch.manual_seed(0)
    model = make_model("dm2s2", vocab, MOVIE, encoder_args=encoder_args).eval()
    return model, batch.as_tensor_dict()


def transformer_of(model):
    """The Hugging Face model inside the model's encoder (wrapped by the `cached` encoder or not)."""
    return getattr(model.encoder, "transformer", model.encoder).transformer_model


def cached_state(plain_state):
    """A model's state dict in the layout of the same model with its transformer inside a `cached` encoder."""
    return {("encoder.transformer." + k[len("encoder."):]) if k.startswith("encoder.") else k: v
            for k, v in plain_state.items()}


def count_encoder_calls(model):
    calls = []
    original = transformer_of(model).forward

    def counting(*args, **kwargs):
        calls.append((kwargs.get("input_ids") if "input_ids" in kwargs else args[0]).shape[0])
        return original(*args, **kwargs)

    transformer_of(model).forward = counting
    return calls


def test_cached_outputs_equal_uncached(tmp_path):
    plain, tensors = setup(tmp_path, cache=False)
    assert not hasattr(plain.encoder, "cache")
    exact, _ = setup(tmp_path, cache={"dtype": "float32"})
    exact.load_state_dict(cached_state(plain.state_dict()))
    reference = plain(**tensors)
    for _ in range(2):  # first pass fills the cache, second reads it
        out = exact(**tensors)
        torch.testing.assert_close(out["logits"], reference["logits"], rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(out["intra_weights"], reference["intra_weights"], rtol=1e-5, atol=1e-6)
    half, _ = setup(tmp_path, cache={"dtype": "float16"})
    half.load_state_dict(cached_state(plain.state_dict()))
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
    assert calls == [8] and model.encoder.cache.hits == 8
    fresh_run, _ = setup(tmp_path)  # another model object (another run) with the same encoder: reads the disk
    fresh_calls = count_encoder_calls(fresh_run)
    fresh_run.encoder.cache.memory.clear()
    fresh_run(**tensors)
    assert fresh_calls == [] and fresh_run.encoder.cache.hits == 8


def test_invalidated_by_encoder_weights_and_tokenisation(tmp_path):
    model, tensors = setup(tmp_path)
    model(**tensors)
    changed, _ = setup(tmp_path)
    with torch.no_grad():
        transformer_of(changed).embeddings.word_embeddings.weight[5] += 1.0
    assert encoder_fingerprint(transformer_of(changed), TINY_BERT) != model.encoder.cache.fingerprint
    truncated, short_tensors = setup(tmp_path, max_length=16)
    truncated.encoder.max_length = 16
    calls = count_encoder_calls(truncated)
    truncated(**short_tensors)
    assert calls  # other token ids (cut to 16) -> other keys -> computed, not read
    fine_tuned, _ = setup(tmp_path, train_parameters=True)
    assert not hasattr(fine_tuned.encoder, "cache")  # nothing frozen: no `cached` wrapper


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


def test_a_failed_write_turns_the_disk_tier_off_with_one_warning_and_never_raises(tmp_path, caplog):
    cache = EncoderStateCache("broken", str(tmp_path), "float32")
    cache.put_many([b"k"], [torch.ones(2, 2)])
    cache.flush()
    lmdb_writer = cache.writer
    lmdb_writer.submit([b"bad"], [object()])  # not a tensor: the write fails in the thread
    cache.flush()  # no exception: the cache is a speed-up
    cache.put_many([b"later"], [torch.zeros(2, 2)])  # kept in memory, not handed to the failed writer
    cache.flush()
    warnings = [r.getMessage() for r in caplog.records if "disk tier" in r.getMessage()]
    assert len(warnings) == 1 and "a write failed" in warnings[0] and "1 states were written" in warnings[0]
    assert cache.path is None and b"later" not in lmdb_writer.pending
    assert all(s is not None for s in cache.get_many([b"k", b"later"], torch.device("cpu")))


def test_memory_tier_size_defaults_to_2gb_on_cpu_and_40_percent_of_free_gpu_memory(tmp_path, monkeypatch):
    from dm2s2_allennlp.cache import state_cache as encoder_cache

    cache = EncoderStateCache("auto", str(tmp_path), "float32", disk=False)
    cache.put_many([b"a"], [torch.ones(2, 2)])
    assert cache.memory_limit == 2 * 2**30 and b"a" in cache.memory
    monkeypatch.setattr(encoder_cache.torch.cuda, "mem_get_info", lambda device: (50 * 2**30, 80 * 2**30))
    assert encoder_cache.automatic_memory_limit(torch.device("cuda", 0)) == int(0.4 * 50 * 2**30)
    assert EncoderStateCache("set", str(tmp_path), memory_gb=0.5).memory_limit == 2**29
