"""A cache of a FROZEN encoder's hidden states, so the paper's frozen encoder runs once per distinct input instead of
once per epoch, per evaluation and per ablation run.

Why it is exact: in eval mode (no dropout) and without gradient, the hidden states of one unified sequence (Eq. 2)
depend only on the encoder's weights and on that sequence's token ids (padding is masked out of attention). DM2S2
reads only the states of the modality tokens (IntraMRA, InterMRA and the pooling exclude [CLS]/[SEP]), so those are
what is stored: ``L x d`` numbers per sample.

Key: ``sha1(unified token ids of the sample [+ autocast dtype])`` inside a namespace named by the encoder's
fingerprint (``encoder_fingerprint``: a hash of its configuration and of every weight). A different encoder, other
weights, another tokenisation or truncation, or another autocast precision give other keys, so stale entries are never
read; they are simply not used.

Tiers: an in-process dictionary on the model's device (up to ``memory_gb``; by default, ``None``, 2 GB in CPU memory
and 40% of the GPU memory that is free when the first state is stored on a GPU, so that MM-IMDB's ~24 GB of
roberta-large states stay on an 80 GB GPU and a cached epoch reads nothing from the disk), then an LMDB database on
disk under ``directory/<fingerprint>-<dtype>/`` (``directory`` from the model's ``cache_directory``, default
``$DM2S2_CACHE_DIR`` or ``~/.cache/dm2s2_allennlp/encoder_states``), shared by runs and by processes: LMDB serialises
writers and lets any number of readers in, so several data-parallel workers can fill and read it at once. Values are stored as float16 by
default (``dtype``), i.e. ``2 x L x d`` bytes per sample: MM-IMDB with roberta-large (25,959 films, ~450 modality
tokens, d = 1024) takes about 24 GB on disk; the ``make demo`` set with MiniLM (3,200 films, ~25 tokens, d = 384)
about 60 MB.

Writes never hold up training: ``put_many`` keeps the states in the memory tier at once and hands them to one
background writer thread per process and database (``_DiskWriter``), after starting their copy to pinned host memory
without waiting for the GPU. Until written, they are found among the writer's pending states. ``flush()`` waits for
the writes (the models call it at the end of every epoch, and it runs when the process exits).
"""
import atexit
import hashlib
import logging
import os
import queue
import threading
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

logger = logging.getLogger(__name__)

DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}
# LMDB allows one open environment per path and process; every cache object of a process shares it
_ENVIRONMENTS: Dict[Tuple[str, int], object] = {}


def _environment(path: str, map_size: int):
    key = (os.path.realpath(path), os.getpid())
    if key not in _ENVIRONMENTS:
        import lmdb

        os.makedirs(path, exist_ok=True)
        _ENVIRONMENTS[key] = lmdb.open(path, map_size=map_size, subdir=True, readahead=False, meminit=False,
                                       max_readers=1024)
    return _ENVIRONMENTS[key]


class _DiskWriter:
    """Writes batches of states into one LMDB database from a background thread.

    ``submit`` takes the keys, their states on the host (possibly still being copied from the GPU) and the CUDA event
    that marks the end of that copy; the thread waits for the event, then writes the batch in one transaction.
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
                        txn.put(key, _to_bytes(state), overwrite=False)
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


_WRITERS: Dict[Tuple[str, int], _DiskWriter] = {}


def _writer(path: str, env) -> _DiskWriter:
    key = (os.path.realpath(path), os.getpid())
    if key not in _WRITERS:
        _WRITERS[key] = _DiskWriter(env)
    return _WRITERS[key]


@atexit.register
def flush_all_writers() -> None:
    """Wait for every pending cache write of this process."""
    for (_, pid), writer in list(_WRITERS.items()):
        if pid == os.getpid():
            writer.flush()


def automatic_memory_limit(device: torch.device) -> int:
    """Bytes of the in-process tier when ``memory_gb`` is not given: 40% of the free memory of a GPU, 2 GB elsewhere."""
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(0.4 * free)
    return 2 * 2**30


def default_cache_directory() -> str:
    return os.environ.get("DM2S2_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "dm2s2_allennlp",
                                                             "encoder_states")


def encoder_fingerprint(module: torch.nn.Module, extra: str = "") -> str:
    """A hash of a module's configuration (if it has one) and of all its parameters and buffers."""
    digest = hashlib.sha256(extra.encode())
    config = getattr(module, "config", None)
    if config is not None and hasattr(config, "to_json_string"):
        digest.update(config.to_json_string(use_diff=False).encode())
    for name, tensor in sorted(module.state_dict().items()):
        digest.update(name.encode())
        array = tensor.detach().cpu().contiguous()
        if array.dtype == torch.bfloat16:
            array = array.float()
        digest.update(array.numpy().tobytes())
    return digest.hexdigest()[:32]


class EncoderStateCache:
    def __init__(self, fingerprint: Optional[str], directory: Optional[str] = None, dtype: str = "float16",
                 memory_gb: Optional[float] = None, disk: bool = True, map_size_gb: float = 1024.0) -> None:
        if dtype not in DTYPES:
            raise ValueError(f"cache dtype must be one of {sorted(DTYPES)}, got {dtype!r}")
        # may be set later (the model hashes its encoder at the first encode, once its final weights are loaded)
        self.fingerprint = fingerprint
        self.directory = directory or default_cache_directory()
        self.disk = disk
        self.dtype_name = dtype
        self.dtype = DTYPES[dtype]
        self.memory_limit: Optional[int] = None if memory_gb is None else int(memory_gb * 2**30)
        self.memory: Dict[bytes, torch.Tensor] = {}
        self.memory_bytes = 0
        self.map_size = int(map_size_gb * 2**30)
        self.hits = self.misses = 0

    # -- disk ------------------------------------------------------------------------------------------------------
    @property
    def path(self) -> Optional[str]:
        if not self.disk:
            return None
        if self.fingerprint is None:
            raise RuntimeError("the cache's encoder fingerprint is not set yet")
        return os.path.join(self.directory, f"{self.fingerprint}-{self.dtype_name}")

    @property
    def env(self):
        """The LMDB environment, opened lazily, once per process (a forked child opens its own)."""
        return None if self.path is None else _environment(self.path, self.map_size)

    @property
    def writer(self) -> Optional[_DiskWriter]:
        return None if self.path is None else _writer(self.path, self.env)

    def flush(self) -> None:
        """Wait until every state handed to ``put_many`` is on disk."""
        if self.path is not None:
            self.writer.flush()

    # -- keys ------------------------------------------------------------------------------------------------------
    @staticmethod
    def key(token_ids: torch.Tensor, variant: str = "") -> bytes:
        ids = token_ids.detach().to("cpu", torch.int64).numpy().astype(np.int64)
        return hashlib.sha1(variant.encode() + ids.tobytes()).digest()

    # -- lookups ---------------------------------------------------------------------------------------------------
    def get_many(self, keys: Sequence[bytes], device: torch.device) -> List[Optional[torch.Tensor]]:
        """The stored states of ``keys`` on ``device`` (None where there are none). Whatever comes from the disk is
        moved to the device in one copy that does not wait for the GPU."""
        found: List[Optional[torch.Tensor]] = [self.memory.get(k) for k in keys]
        missing = [i for i, value in enumerate(found) if value is None]
        if missing and self.path is not None:
            from_disk: Dict[int, torch.Tensor] = {}
            writer = self.writer
            with self.env.begin(write=False) as txn:
                for i in missing:
                    pending = writer.get(keys[i])
                    if pending is not None:
                        found[i] = pending
                        continue
                    raw = txn.get(keys[i])
                    if raw is not None:
                        from_disk[i] = _from_bytes(raw, self.dtype)
            if from_disk:
                order = list(from_disk)
                host = torch.cat([from_disk[i] for i in order])
                moved = host.to(device, non_blocking=True).split([from_disk[i].size(0) for i in order])
                for i, state in zip(order, moved):
                    found[i] = state
                    self._remember(keys[i], state)
        for value in found:
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
        return [None if v is None else v.to(device, non_blocking=True) for v in found]

    def put_many(self, keys: Sequence[bytes], states: Sequence[torch.Tensor]) -> None:
        """Remember ``states`` (on the model's device, converted to the cache's dtype) and write them to the disk in
        the background (see ``_DiskWriter``)."""
        if not keys:
            return
        stored = [state.detach().to(self.dtype) for state in states]
        for key, state in zip(keys, stored):
            self._remember(key, state)
        if self.path is None:
            return
        sizes = [state.size(0) for state in stored]
        packed = torch.cat(stored)
        event = None
        if packed.is_cuda:
            host = packed.to("cpu", non_blocking=True)  # into pinned memory, asynchronously
            event = torch.cuda.Event()
            event.record()
        else:
            host = packed
        self.writer.submit(keys, list(host.split(sizes)), event)

    def _remember(self, key: bytes, state: torch.Tensor) -> None:
        size = state.numel() * state.element_size()
        if self.memory_limit is None:
            self.memory_limit = automatic_memory_limit(state.device)
            logger.info("encoder-state cache: up to %.1f GB kept on %s", self.memory_limit / 2**30, state.device)
        if key not in self.memory and self.memory_bytes + size <= self.memory_limit:
            self.memory[key] = state
            self.memory_bytes += size

    def __getstate__(self):  # the model is deep-copied / pickled by some tools: never carry handles or memory along
        state = dict(self.__dict__)
        state.update(memory={}, memory_bytes=0)
        return state


def _to_bytes(state: torch.Tensor) -> bytes:
    """``int64 rows, int64 cols, raw values`` (the cache's dtype)."""
    cpu = state.detach().cpu().contiguous()
    header = np.array(cpu.shape, dtype=np.int64).tobytes()
    return header + cpu.view(torch.int16 if cpu.element_size() == 2 else torch.int32).numpy().tobytes()


def _from_bytes(raw: bytes, dtype: torch.dtype) -> torch.Tensor:
    rows, cols = (int(x) for x in np.frombuffer(raw[:16], dtype=np.int64))
    if rows * cols == 0:
        return torch.zeros(rows, cols, dtype=dtype)
    storage = torch.frombuffer(bytearray(raw[16:]), dtype=torch.int16 if dtype in (torch.float16, torch.bfloat16)
                               else torch.int32)
    return storage.view(dtype).view(int(rows), int(cols))
