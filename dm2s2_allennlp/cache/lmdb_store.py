"""The disk tier of the encoder-state cache: one LMDB database per encoder fingerprint, shared by runs and processes,
and the background thread that writes into it.

LMDB serialises writers and lets any number of readers in, so several data-parallel workers can fill and read one
database at once. It allows one open environment per path and process; every cache object of a process shares it
(``environment``). Writes never hold up training: ``DiskWriter.submit`` takes a batch of states (possibly still being
copied from the GPU, with the CUDA event that marks the end of that copy) and one thread per process and database
writes it in one transaction; until then the states are served from the writer's pending set. ``flush`` waits for
the writes, and every writer of the process is flushed when it exits. A write that fails (a full disk, a read-only or
vanished directory) never fails the run: the writer records why (``failed``), drops what it was given from then on,
and the cache that owns it turns its disk tier off with one warning (``state_cache``).

Integrity: a value is ``int64 rows, int64 cols, uint32 CRC-32 of the payload, 4 spare bytes, payload`` (the cache's
dtype) -- ``to_bytes`` / ``from_bytes``; a value whose length or checksum does not match is reported as corrupt
(``None``), and the cache then recomputes and rewrites it. A database whose file is shorter than its own last page
(a copy cut short, a full disk) is moved aside to ``<path>.corrupt-<time>`` and rebuilt when it is opened -- reading
it would end the process with SIGBUS.
"""
import atexit
import errno
import logging
import os
import queue
import shutil
import threading
import time
import zlib
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch

logger = logging.getLogger(__name__)

_ENVIRONMENTS: Dict[Tuple[str, int], object] = {}
_WRITERS: Dict[Tuple[str, int], "DiskWriter"] = {}


HEADER = 24  # rows, cols (int64), CRC-32 (uint32), spare (4 bytes)


def environment(path: str, map_size: int):
    """The process's LMDB environment at ``path`` (opened once per process; a forked child opens its own); a
    truncated database is moved aside and rebuilt first."""
    key = (os.path.realpath(path), os.getpid())
    if key not in _ENVIRONMENTS:
        import lmdb

        os.makedirs(path, exist_ok=True)
        check_room(path)
        env = lmdb.open(path, map_size=map_size, subdir=True, readahead=False, meminit=False, max_readers=1024)
        reserve_lock_file(path, env)
        problem = truncation(path, env)
        if problem:
            env.close()
            aside = f"{path.rstrip(os.sep)}.corrupt-{int(time.time())}"
            os.replace(path, aside)
            logger.warning("encoder-state cache %s is damaged (%s): moved to %s and rebuilt; its states will be "
                           "computed again", path, problem, aside)
            os.makedirs(path, exist_ok=True)
            env = lmdb.open(path, map_size=map_size, subdir=True, readahead=False, meminit=False, max_readers=1024)
        _ENVIRONMENTS[key] = env
    return _ENVIRONMENTS[key]


MIN_FREE_BYTES = 256 * 2**10  # LMDB's lock file (65 KB for 1,024 readers) and its first pages, with room to spare


def check_room(path: str) -> None:
    """Refuse a file system without room for a new database: LMDB maps its lock file into memory, and touching a
    page of it that the full file system cannot back ends the process with SIGBUS instead of an error."""
    free = shutil.disk_usage(path).free
    if free < MIN_FREE_BYTES:
        raise OSError(errno.ENOSPC, f"no space left on device (only {free} bytes free in {path})")


def reserve_lock_file(path: str, env) -> None:
    """Give the lock file's pages real blocks now (a file system that fills up later cannot then SIGBUS a reader that
    takes a new slot); no room for them closes the database and raises ``OSError``."""
    lock = os.path.join(path, "lock.mdb")
    if not os.path.exists(lock):
        return
    descriptor = os.open(lock, os.O_RDWR)
    try:
        os.posix_fallocate(descriptor, 0, os.fstat(descriptor).st_size)
    except OSError:
        env.close()
        raise
    finally:
        os.close(descriptor)


def truncation(path: str, env) -> Optional[str]:
    """Why the database file is shorter than the pages its meta page says it uses, or ``None`` if it is not.

    The pages are read from the meta page BEFORE the file's size: another process may commit in between, and LMDB
    writes a commit's pages before its meta page, so a size taken after the meta can only be larger than it needs.
    (Taken the other way round, a commit in between made a live database look cut short, and it was moved aside
    with the states other processes were writing: a flaky several-processes test found it.)"""
    needed = (env.info()["last_pgno"] + 1) * env.stat()["psize"]
    data = os.path.join(path, "data.mdb")
    size = os.path.getsize(data) if os.path.exists(data) else 0
    return f"data.mdb has {size} bytes, its pages need {needed}" if size < needed else None


class DiskWriter:
    """Writes batches of states into one LMDB database from a background thread.

    At most ``max_batches`` batches wait (their pinned memory is bounded); a full queue makes ``submit`` wait, which
    only happens when the disk is slower than the encoder. After a failed write, ``failed`` holds the error and
    ``submit`` drops its states; ``written`` counts the states that reached the disk.
    """

    def __init__(self, env, max_batches: int = 16) -> None:
        self.env = env
        self.queue: "queue.Queue" = queue.Queue(maxsize=max_batches)
        self.pending: Dict[bytes, torch.Tensor] = {}
        self.lock = threading.Lock()
        self.failed: Optional[BaseException] = None
        self.written = 0
        self.thread = threading.Thread(target=self._run, name="dm2s2-cache-writer", daemon=True)
        self.thread.start()

    def submit(self, keys: Sequence[bytes], states: Sequence[torch.Tensor], event=None) -> None:
        if self.failed is not None:
            return
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
                if self.failed is None:
                    with self.env.begin(write=True) as txn:
                        for key, state in zip(keys, states):
                            txn.put(key, to_bytes(state), overwrite=False)
                    self.written += len(keys)
            except Exception as error:  # noqa: BLE001 - the cache turns its disk tier off; the run goes on
                self.failed = error
            finally:
                with self.lock:
                    for key in keys:
                        self.pending.pop(key, None)
                self.queue.task_done()

    def flush(self) -> None:
        """Wait until every submitted batch is written (or dropped after a failure); never raises."""
        self.queue.join()


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
    """``int64 rows, int64 cols, uint32 CRC-32, 4 spare bytes, raw values`` (the cache's dtype)."""
    cpu = state.detach().cpu().contiguous()
    payload = cpu.view(torch.int16 if cpu.element_size() == 2 else torch.int32).numpy().tobytes()
    header = np.array(cpu.shape, dtype=np.int64).tobytes() + np.array([zlib.crc32(payload), 0], np.uint32).tobytes()
    return header + payload


def from_bytes(raw: bytes, dtype: torch.dtype) -> Optional[torch.Tensor]:
    """The stored state, or ``None`` when the value is damaged (wrong length or checksum)."""
    if len(raw) < HEADER:
        return None
    rows, cols = (int(x) for x in np.frombuffer(raw[:16], dtype=np.int64))
    checksum = int(np.frombuffer(raw[16:20], dtype=np.uint32)[0])
    payload = raw[HEADER:]
    itemsize = 2 if dtype in (torch.float16, torch.bfloat16) else 4
    if rows < 0 or cols < 0 or len(payload) != rows * cols * itemsize or zlib.crc32(payload) != checksum:
        return None
    if rows * cols == 0:
        return torch.zeros(rows, cols, dtype=dtype)
    storage = torch.frombuffer(bytearray(payload), dtype=torch.int16 if itemsize == 2 else torch.int32)
    return storage.view(dtype).view(rows, cols)
