"""Training with the data's facts settled before the run: what ``dm2s2 train``, ``cross-validate`` and the Python
API (``dm2s2_allennlp.fit``) run.

AllenNLP's ``train_model`` writes the run's ``config.json`` before it reads any data, so a fact the generic reader
infers from the training file (its modalities, its task) would otherwise be known only mid-run. ``train_settled``
first settles them (``dataset_readers.reader_facts.settle``: every data file checked, the facts inferred from the
training file and written into the config), then hands the config to AllenNLP's own ``train_model`` unchanged. A
``--recover`` settles the same facts from the same file, so its config is the one the run started with.
"""
import errno
import os
import shutil
from typing import Any, Optional, Union

from allennlp.commands.train import train_model
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from dm2s2_allennlp.checks import in_range
from dm2s2_allennlp.dataset_readers.reader_facts import settle


DISK_ERRORS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT, errno.EFBIG}


def load_params(param_path: str, overrides: Union[str, dict] = "") -> Params:
    """A config file with its ``-o`` overrides, as AllenNLP reads it; a jsonnet error (a missing import, an unset
    ``std.extVar``, a syntax error) or overrides that are not JSON are a ``ConfigurationError`` naming the file."""
    try:
        return Params.from_file(param_path, overrides)
    except RuntimeError as error:  # _jsonnet's evaluation errors
        first = str(error).strip().splitlines()[0] if str(error).strip() else "cannot evaluate it"
        raise ConfigurationError(f"{param_path}: {first}") from None
    except ValueError as error:  # json's, for the overrides
        raise ConfigurationError(f"the overrides (-o) are not a JSON object: {error}") from None


def check_training_options(params: Params) -> None:
    """The trainer's and data loaders' numbers that AllenNLP would only trip over mid-run (a learning rate below 0:
    torch's error at the optimizer; no epoch: "best.th does not exist" after the run; a batch of 0 records), as a
    ``ConfigurationError`` naming the key, before the run."""
    raw = params.params
    trainer = raw.get("trainer") or {}
    if trainer.get("num_epochs") is not None:
        in_range("trainer.num_epochs", trainer["num_epochs"], 1)
    optimizer = trainer.get("optimizer") or {}
    if isinstance(optimizer, dict):
        if optimizer.get("lr") is not None:
            in_range("trainer.optimizer.lr", optimizer["lr"], 0, low_open=True)
        for k, group in enumerate(optimizer.get("parameter_groups") or []):
            if isinstance(group, (list, tuple)) and len(group) == 2 and isinstance(group[1], dict) \
                    and group[1].get("lr") is not None:
                in_range(f"trainer.optimizer.parameter_groups[{k}].lr", group[1]["lr"], 0, low_open=True)
    for key in ("data_loader", "validation_data_loader"):
        loader = raw.get(key) or {}
        if isinstance(loader, dict) and loader.get("batch_size") is not None:
            in_range(f"{key}.batch_size", loader["batch_size"], 1)
        sampler = loader.get("batch_sampler") if isinstance(loader, dict) else None
        if isinstance(sampler, dict) and sampler.get("batch_size") is not None:
            in_range(f"{key}.batch_sampler.batch_size", sampler["batch_size"], 1)


def train_settled(params: Params, serialization_dir: str, **kwargs: Any) -> Optional[Any]:
    """``allennlp.commands.train.train_model(params, serialization_dir, **kwargs)`` after ``settle(params)`` and
    ``check_training_options``. A run that fails before its first checkpoint in a folder it made removes that folder
    (rerunning needs no ``--force``), and an archive the failure cut short is removed; a config key no component
    takes (``model.encoderr``: Python's ``TypeError``) and a run folder that cannot be written (a full disk, a
    read-only one) are ``ConfigurationError`` s naming them."""
    settle(params)
    check_training_options(params)
    fresh = not os.path.exists(serialization_dir) or (not os.listdir(serialization_dir)
                                                      and not kwargs.get("recover"))
    archive = os.path.join(serialization_dir, "model.tar.gz")
    before = os.stat(archive).st_mtime_ns if os.path.exists(archive) else None
    try:
        return train_model(params, serialization_dir, **kwargs)
    except BaseException as error:
        if os.path.exists(archive) and os.stat(archive).st_mtime_ns != before:
            os.remove(archive)  # written when the run failed: never a truncated archive for `evaluate` to load
        if fresh and os.path.isdir(serialization_dir) and not any(
                name.startswith(("model_state", "best.th")) for name in os.listdir(serialization_dir)):
            shutil.rmtree(serialization_dir, ignore_errors=True)
        if isinstance(error, TypeError) and "unexpected keyword argument" in str(error):
            raise ConfigurationError(f"a config key that no component takes ({str(error).split('__init__() ')[-1]}):"
                                     " check its spelling") from None
        if isinstance(error, OSError) and (error.errno in DISK_ERRORS or str(getattr(error, "filename", "") or "")
                                           .startswith(str(serialization_dir))):
            raise ConfigurationError(f"cannot write the run folder {serialization_dir} ({error.strerror or error}): "
                                     "name a folder you can write, on a disk with room") from None
        raise


def train_from_args(args) -> None:
    """``dm2s2 train``: AllenNLP's ``train_model_from_args`` with the facts settled first."""
    train_settled(load_params(args.param_path, args.overrides), args.serialization_dir, recover=args.recover,
                  force=args.force, node_rank=args.node_rank, include_package=args.include_package,
                  dry_run=args.dry_run, file_friendly_logging=args.file_friendly_logging)
