from spacy.cli import download  # noqa: F401
