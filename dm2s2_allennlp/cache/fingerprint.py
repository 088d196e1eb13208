"""The name of a frozen encoder's cache namespace: a hash of its configuration and of every weight, so that another
encoder, other weights or another part of an encoder never read each other's states."""
import hashlib
from typing import Iterable, Tuple

import torch


def encoder_fingerprint(module: torch.nn.Module, extra: str = "",
                        tensors: Iterable[Tuple[str, torch.Tensor]] = None) -> str:
    """A hash of ``module``'s configuration (if it has one), of ``extra``, and of ``tensors`` (default: every
    parameter and buffer of ``module``)."""
    digest = hashlib.sha256(extra.encode())
    config = getattr(module, "config", None)
    if config is not None and hasattr(config, "to_json_string"):
        digest.update(config.to_json_string(use_diff=False).encode())
    for name, tensor in sorted(module.state_dict().items() if tensors is None else tensors, key=lambda x: x[0]):
        digest.update(name.encode())
        array = tensor.detach().cpu().contiguous()
        if array.dtype == torch.bfloat16:
            array = array.float()
        digest.update(array.numpy().tobytes())
    return digest.hexdigest()[:32]
