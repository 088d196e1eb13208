"""A cache of a FROZEN encoder's hidden states, so the paper's frozen encoder runs once per distinct input instead of
once per epoch, per evaluation and per ablation run.

Why it is exact: in eval mode (no dropout) and without gradient, the hidden states of one input sequence depend only
on the encoder's (frozen part's) weights and on that sequence's token ids (padding is masked out of attention).

Key: ``sha1(token ids of the sample [+ variant])`` inside a namespace named by the encoder's fingerprint
(``cache.fingerprint``: a hash of its configuration and weights). A different encoder, other weights, another
tokenisation or truncation, another autocast precision or another cached layer give other keys, so stale entries are
never read; they are simply not used.

Tiers: an in-process dictionary on the model's device (up to ``memory_gb``; by default, ``None``, 2 GB in CPU memory
and 40% of the GPU memory that is free when the first state is stored on a GPU, so that MM-IMDB's ~24 GB of
roberta-large states stay on an 80 GB GPU), then an LMDB database on disk under ``directory/<fingerprint>-<dtype>/``
(``cache.lmdb_store``; ``directory`` defaults to ``$DM2S2_CACHE_DIR`` or ``~/.cache/dm2s2_allennlp/encoder_states``,
a machine-local setting like ``HF_HOME``, not part of a model). Values are stored as float16 by default (``dtype``),
i.e. ``2 x L x d`` bytes per sample: MM-IMDB with roberta-large (25,959 films, ~450 modality tokens, d = 1024) takes
about 24 GB on disk; the ``make demo`` set with MiniLM (3,200 films, ~25 tokens, d = 384) about 60 MB.

The cache is a speed-up and never costs a run: when its directory cannot be used (read-only, a file, no space) or a
write fails (the disk fills up), its disk tier is turned off for the rest of the process with ONE warning that says
why and how many states were written; training goes on with the in-process tier (``disable_disk``).
"""
import hashlib
import logging
import os
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from allennlp.common import FromParams

from dm2s2_allennlp.cache import lmdb_store

logger = logging.getLogger(__name__)

DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}
FORMAT = "v2"  # values carry a checksum (lmdb_store); databases of the first format are not read


def automatic_memory_limit(device: torch.device) -> int:
    """Bytes of the in-process tier when ``memory_gb`` is not given: 40% of the free memory of a GPU, 2 GB elsewhere."""
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device)
        return int(0.4 * free)
    return 2 * 2**30


def default_cache_directory() -> str:
    return os.environ.get("DM2S2_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "dm2s2_allennlp",
                                                             "encoder_states")


class EncoderStateCache:
    def __init__(self, fingerprint: Optional[str], directory: Optional[str] = None, dtype: str = "float16",
                 memory_gb: Optional[float] = None, disk: bool = True, map_size_gb: float = 1024.0) -> None:
        if dtype not in DTYPES:
            raise ValueError(f"cache dtype must be one of {sorted(DTYPES)}, got {dtype!r}")
        # may be set later (an encoder is hashed at its first encode, once its final weights are loaded)
        self.fingerprint = fingerprint
        self.directory = directory or default_cache_directory()
        self.disk = disk
        self.dtype_name = dtype
        self.dtype = DTYPES[dtype]
        self.memory_limit: Optional[int] = None if memory_gb is None else int(memory_gb * 2**30)
        self.memory: Dict[bytes, torch.Tensor] = {}
        self.memory_bytes = 0
        self.map_size = int(map_size_gb * 2**30)
        self.hits = self.misses = self.corrupt = 0
        self.disk_problem: Optional[str] = None  # why the disk tier was turned off, if it was

    # -- disk ------------------------------------------------------------------------------------------------------
    @property
    def path(self) -> Optional[str]:
        if not self.disk:
            return None
        if self.fingerprint is None:
            raise RuntimeError("the cache's encoder fingerprint is not set yet")
        return os.path.join(self.directory, f"{self.fingerprint}-{self.dtype_name}-{FORMAT}")

    @property
    def env(self):
        """The disk tier's LMDB environment; ``None`` when it is off (or cannot be opened: then it is turned off)."""
        if self.path is None:
            return None
        import lmdb

        try:
            return lmdb_store.environment(self.path, self.map_size)
        except (OSError, lmdb.Error) as error:
            self.disable_disk(f"it cannot be opened: {error}", written=0)
            return None

    @property
    def writer(self) -> Optional[lmdb_store.DiskWriter]:
        """The disk tier's writer thread; ``None`` when the tier is off (or a write failed: then it is turned off)."""
        env = self.env
        if env is None:
            return None
        return self._working(lmdb_store.writer(self.path, env))

    def _working(self, disk_writer: lmdb_store.DiskWriter) -> Optional[lmdb_store.DiskWriter]:
        """``disk_writer``, or ``None`` after turning the disk tier off when one of its writes failed."""
        if disk_writer.failed is not None:
            self.disable_disk(f"a write failed: {disk_writer.failed}", disk_writer.written)
            return None
        return disk_writer

    def disable_disk(self, reason: str, written: int) -> None:
        """Turn the disk tier off for the rest of this process, with one warning; the in-process tier stays."""
        self.disk, self.disk_problem = False, reason
        limit = f"{self.memory_limit / 2**30:.1f} GB" if self.memory_limit is not None else "its limit"
        logger.warning("encoder-state cache: the disk tier in %s is off for the rest of this run because %s. %d "
                       "states were written to it before; training goes on, states stay in memory (up to %s) and a "
                       "later run computes them again. Free space or point `encoder.cache.directory` (or "
                       "$DM2S2_CACHE_DIR) at a writable directory, or set `encoder.cache.on_disk: false`.",
                       self.directory, reason, written, limit)

    def flush(self) -> None:
        """Wait until every state handed to ``put_many`` is on disk (nothing to do before the first use); a write
        that failed turns the disk tier off (``writer``), it never raises."""
        if self.fingerprint is not None and self.path is not None:
            disk_writer = self.writer
            if disk_writer is not None:
                disk_writer.flush()
                self._working(disk_writer)

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
        writer = self.writer if missing else None
        if writer is not None:
            from_disk: Dict[int, torch.Tensor] = {}
            corrupt: List[bytes] = []
            with writer.env.begin(write=False) as txn:
                for i in missing:
                    pending = writer.get(keys[i])
                    if pending is not None:
                        found[i] = pending
                        continue
                    raw = txn.get(keys[i])
                    if raw is not None:
                        state = lmdb_store.from_bytes(raw, self.dtype)
                        if state is None:
                            corrupt.append(keys[i])
                        else:
                            from_disk[i] = state
            if corrupt:
                self._forget(corrupt)
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

    def _forget(self, keys: List[bytes]) -> None:
        """Delete damaged values, so that the states computed in their place are written."""
        self.corrupt += len(keys)
        logger.warning("encoder-state cache %s: %d damaged value(s) (checksum or length) ignored; recomputing them",
                       self.path, len(keys))
        writer = self.writer
        if writer is not None:
            with writer.env.begin(write=True) as txn:
                for key in keys:
                    txn.delete(key)

    def put_many(self, keys: Sequence[bytes], states: Sequence[torch.Tensor]) -> None:
        """Remember ``states`` (on the model's device, converted to the cache's dtype) and write them to the disk in
        the background (``lmdb_store.DiskWriter``)."""
        if not keys:
            return
        stored = [state.detach().to(self.dtype) for state in states]
        for key, state in zip(keys, stored):
            self._remember(key, state)
        writer = self.writer
        if writer is None:
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
        writer.submit(keys, list(host.split(sizes)), event)

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


class CacheSettings(FromParams):
    """How an encoder caches its frozen states (the ``cache`` object of an encoder's config; ``cache: null`` turns
    caching off): ``directory`` (default ``$DM2S2_CACHE_DIR`` or ``~/.cache/dm2s2_allennlp/encoder_states``),
    ``dtype`` (``float16``), ``memory_gb`` (in-process tier; default 2 on the CPU, 40% of the free GPU memory),
    ``on_disk`` (true)."""

    def __init__(self, directory: Optional[str] = None, dtype: str = "float16", memory_gb: Optional[float] = None,
                 on_disk: bool = True) -> None:
        if dtype not in DTYPES:
            raise ValueError(f"cache dtype must be one of {sorted(DTYPES)}, got {dtype!r}")
        self.directory, self.dtype, self.memory_gb, self.on_disk = directory, dtype, memory_gb, on_disk

    def __repr__(self) -> str:
        return (f"CacheSettings(directory={self.directory!r}, dtype={self.dtype!r}, memory_gb={self.memory_gb!r}, "
                f"on_disk={self.on_disk!r})")

    def build(self) -> EncoderStateCache:
        return EncoderStateCache(None, self.directory, self.dtype, self.memory_gb, self.on_disk)
