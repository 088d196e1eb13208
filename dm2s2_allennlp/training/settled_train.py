"""Training with the data's facts settled before the run: what ``dm2s2 train``, ``cross-validate`` and the Python
API (``dm2s2_allennlp.fit``) run.

AllenNLP's ``train_model`` writes the run's ``config.json`` before it reads any data, so a fact the generic reader
infers from the training file (its modalities, its task) would otherwise be known only mid-run. ``train_settled``
first settles them (``dataset_readers.reader_facts.settle``: every data file checked, the facts inferred from the
training file and written into the config), then hands the config to AllenNLP's own ``train_model`` unchanged. A
``--recover`` settles the same facts from the same file, so its config is the one the run started with.
"""
from typing import Any, Optional, Union

from allennlp.commands.train import train_model
from allennlp.common import Params
from allennlp.common.checks import ConfigurationError

from dm2s2_allennlp.dataset_readers.reader_facts import settle


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


def train_settled(params: Params, serialization_dir: str, **kwargs: Any) -> Optional[Any]:
    """``allennlp.commands.train.train_model(params, serialization_dir, **kwargs)`` after ``settle(params)``."""
    settle(params)
    return train_model(params, serialization_dir, **kwargs)


def train_from_args(args) -> None:
    """``dm2s2 train``: AllenNLP's ``train_model_from_args`` with the facts settled first."""
    train_settled(load_params(args.param_path, args.overrides), args.serialization_dir, recover=args.recover,
                  force=args.force, node_rank=args.node_rank, include_package=args.include_package,
                  dry_run=args.dry_run, file_friendly_logging=args.file_friendly_logging)
