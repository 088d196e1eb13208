"""The encoder-state cache never uses damaged states and never takes the process down: a value whose bytes changed
is detected by its checksum and recomputed; a database cut short is moved aside and rebuilt (reading it would be a
SIGBUS); several processes filling one database at once, the same keys included, leave it whole."""
import multiprocessing as mp
import os
import subprocess
import sys
import textwrap

import torch

from dm2s2_allennlp.cache import EncoderStateCache
from dm2s2_allennlp.cache import lmdb_store


def test_a_damaged_value_is_detected_and_recomputed(tmp_path, caplog):
    cache = EncoderStateCache("damaged", str(tmp_path), "float32", memory_gb=0)
    cache.put_many([b"a", b"b"], [torch.full((3, 4), 1.5), torch.full((2, 4), 2.5)])
    cache.flush()
    with cache.env.begin(write=True) as txn:
        raw = bytearray(txn.get(b"a"))
        raw[-1] ^= 0x01  # one flipped bit of a finite float: a different, plausible number
        txn.put(b"a", bytes(raw))
    fresh = EncoderStateCache("damaged", str(tmp_path), "float32", memory_gb=0)
    a, b = fresh.get_many([b"a", b"b"], torch.device("cpu"))
    assert a is None and torch.equal(b, torch.full((2, 4), 2.5)) and fresh.corrupt == 1
    assert any("damaged value" in r.getMessage() for r in caplog.records)
    fresh.put_many([b"a"], [torch.full((3, 4), 1.5)])  # what the model does next: compute and store it again
    fresh.flush()
    again = EncoderStateCache("damaged", str(tmp_path), "float32", memory_gb=0)
    assert torch.equal(again.get_many([b"a"], torch.device("cpu"))[0], torch.full((3, 4), 1.5))


def test_values_of_the_wrong_length_are_damaged():
    raw = lmdb_store.to_bytes(torch.ones(2, 3))
    assert torch.equal(lmdb_store.from_bytes(raw, torch.float32), torch.ones(2, 3))
    assert lmdb_store.from_bytes(raw[:-4], torch.float32) is None
    assert lmdb_store.from_bytes(raw[:10], torch.float32) is None


def test_a_truncated_database_is_moved_aside_and_rebuilt_without_a_crash(tmp_path):
    script = textwrap.dedent(f"""
        import torch
        from dm2s2_allennlp.cache import EncoderStateCache
        cache = EncoderStateCache("cut", {str(tmp_path)!r}, "float32", memory_gb=0)
        keys = [bytes([i, j]) for i in range(40) for j in range(10)]
        cache.put_many(keys, [torch.randn(64, 96) for _ in keys])
        cache.flush()
        print(cache.path)
    """)
    path = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()[-1]
    data = os.path.join(path, "data.mdb")
    with open(data, "r+b") as handle:
        handle.truncate(os.path.getsize(data) - 16 * 1024)
    reader = textwrap.dedent(f"""
        import torch
        from dm2s2_allennlp.cache import EncoderStateCache
        cache = EncoderStateCache("cut", {str(tmp_path)!r}, "float32", memory_gb=0)
        keys = [bytes([i, j]) for i in range(40) for j in range(10)]
        found = cache.get_many(keys, torch.device("cpu"))
        print(sum(state is not None for state in found))
    """)
    result = subprocess.run([sys.executable, "-c", reader], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]  # no SIGBUS (exit 135)
    assert result.stdout.split()[-1] == "0"  # nothing read from the damaged file: rebuilt empty
    assert "is damaged" in result.stderr and "moved to" in result.stderr
    assert [name for name in os.listdir(tmp_path) if ".corrupt-" in name]


def _fill(path, offset):
    cache = EncoderStateCache("shared", path, "float32", memory_gb=0)
    keys = [bytes([offset, i]) for i in range(40)] + [bytes([9, i]) for i in range(40)]  # 40 keys every process writes
    cache.put_many(keys, [torch.full((3, 4), float(k[0] * 100 + k[1])) for k in keys])
    cache.flush()


def test_several_processes_fill_one_database_with_shared_keys(tmp_path):
    context = mp.get_context("spawn")
    workers = [context.Process(target=_fill, args=(str(tmp_path), offset)) for offset in (1, 2, 3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    reader = EncoderStateCache("shared", str(tmp_path), "float32", memory_gb=0)
    keys = [bytes([offset, i]) for offset in (1, 2, 3, 9) for i in range(40)]
    states = reader.get_many(keys, torch.device("cpu"))
    moved = [p.name for p in tmp_path.parent.iterdir() if p.name.startswith(tmp_path.name + ".corrupt-")]
    missing = sum(s is None for s in states)
    assert reader.corrupt == 0 and not missing and not moved, (reader.corrupt, missing, moved)
    assert [float(s[0, 0]) for s in states] == [k[0] * 100 + k[1] for k in keys]


def test_a_commit_by_another_process_while_opening_is_not_a_truncation(tmp_path):
    """Another process's commit between reading the meta page and the file's size must not look like a damaged
    database (it was moved aside, taking the other processes' states with it)."""
    import lmdb

    from dm2s2_allennlp.cache import lmdb_store

    env = lmdb.open(str(tmp_path), map_size=2**30, subdir=True)

    class CommitFirst:  # another process commits 4 MB just as this one reads the meta page
        def info(self):
            with env.begin(write=True) as txn:
                for i in range(1000):
                    txn.put(b"k%d" % i, bytes(4096))
            return env.info()

        def stat(self):
            return env.stat()

    assert lmdb_store.truncation(str(tmp_path), CommitFirst()) is None
    assert lmdb_store.truncation(str(tmp_path), env) is None
