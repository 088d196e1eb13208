"""The disk tier of the encoder-state cache: one LMDB database per encoder fingerprint, shared by runs and processes,
and the background thread that writes into it.

LMDB serialises writers and lets any number of readers in, so several data-parallel workers can fill and read one
database at once. It allows one open environment per path and process; every cache object of a process shares it
(``environment``). Writes never hold up training: ``DiskWriter.submit`` takes a batch of states (possibly still being
copied from the GPU, with the CUDA event that marks the end of that copy) and one thread per process and database
writes it in one transaction; until then the states are served from the writer's pending set. ``flush`` waits for
the writes, and every writer of the process is flushed when it exits.

Values: ``int64 rows, int64 cols, raw values`` (the cache's dtype) -- ``to_bytes`` / ``from_bytes``.
"""
import atexit
import logging
import os
import queue
import threading
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch

logger = logging.getLogger(__name__)

_ENVIRONMENTS: Dict[Tuple[str, int], object] = {}
_WRITERS: Dict[Tuple[str, int], "DiskWriter"] = {}


def environment(path: str, map_size: int):
    """The process's LMDB environment at ``path`` (opened once per process; a forked child opens its own)."""
    key = (os.path.realpath(path), os.getpid())
    if key not in _ENVIRONMENTS:
        import lmdb

        os.makedirs(path, exist_ok=True)
        _ENVIRONMENTS[key] = lmdb.open(path, map_size=map_size, subdir=True, readahead=False, meminit=False,
                                       max_readers=1024)
    return _ENVIRONMENTS[key]


class DiskWriter:
    """Writes batches of states into one LMDB database from a background thread.

    At most ``max_batches`` batches wait (their pinned memory is bounded); a full queue makes ``submit`` wait, which
    only happens when the disk is slower than the encoder. A failed write is logged and re-raised by ``flush``.
    """

    def __init__(self, env, max_batches: int = 16) -> None:
        self.env = env
        self.queue: "queue.Queue" = queue.Queue(maxsize=max_batches)
        self.pending: Dict[bytes, torch.Tensor] = {}
        self.lock = threading.Lock()
        self.error: Optional[BaseException] = None
        self.thread = threading.Thread(target=self._run, name="dm2s2-cache-writer", daemon=True)
        self.thread.start()

    def submit(self, keys: Sequence[bytes], states: Sequence[torch.Tensor], event=None) -> None:
        with self.lock:
            self.pending.update(zip(keys, states))
        self.queue.put((list(keys), list(states), event))

    def get(self, key: bytes) -> Optional[torch.Tensor]:
        with self.lock:
            return self.pending.get(key)

    def _run(self) -> None:
        while True:
            keys, states, event = self.queue.get()
            try:
                if event is not None:
                    event.synchronize()
                with self.env.begin(write=True) as txn:
                    for key, state in zip(keys, states):
                        txn.put(key, to_bytes(state), overwrite=False)
            except BaseException as error:  # noqa: BLE001 - kept for flush(), the training goes on uncached
                logger.error("writing %d encoder states to the cache failed: %s", len(keys), error)
                self.error = error
            finally:
                with self.lock:
                    for key in keys:
                        self.pending.pop(key, None)
                self.queue.task_done()

    def flush(self) -> None:
        self.queue.join()
        if self.error is not None:
            error, self.error = self.error, None
            raise RuntimeError(f"writing encoder states to the cache failed: {error}") from error


def writer(path: str, env) -> DiskWriter:
    """The process's writer thread for the database at ``path``."""
    key = (os.path.realpath(path), os.getpid())
    if key not in _WRITERS:
        _WRITERS[key] = DiskWriter(env)
    return _WRITERS[key]


@atexit.register
def flush_all_writers() -> None:
    """Wait for every pending cache write of this process."""
    for (_, pid), disk_writer in list(_WRITERS.items()):
        if pid == os.getpid():
            disk_writer.flush()


def to_bytes(state: torch.Tensor) -> bytes:
    """``int64 rows, int64 cols, raw values`` (the cache's dtype)."""
    cpu = state.detach().cpu().contiguous()
    header = np.array(cpu.shape, dtype=np.int64).tobytes()
    return header + cpu.view(torch.int16 if cpu.element_size() == 2 else torch.int32).numpy().tobytes()


def from_bytes(raw: bytes, dtype: torch.dtype) -> torch.Tensor:
    rows, cols = (int(x) for x in np.frombuffer(raw[:16], dtype=np.int64))
    if rows * cols == 0:
        return torch.zeros(rows, cols, dtype=dtype)
    storage = torch.frombuffer(bytearray(raw[16:]), dtype=torch.int16 if dtype in (torch.float16, torch.bfloat16)
                               else torch.int32)
    return storage.view(dtype).view(int(rows), int(cols))
