"""A stand-in for spaCy on the GPU machine only (never installed with the project): AllenNLP 2.10 imports spaCy at
start-up, the dm2s2 components never call it, and the real wheel set is too large to carry there."""
__version__ = "3.8.0-stub"


def load(*args, **kwargs):
    raise RuntimeError("spaCy is a stub on this machine")


from spacy import cli, language, tokens  # noqa: E402,F401
