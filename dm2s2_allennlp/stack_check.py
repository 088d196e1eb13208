"""``python -m dm2s2_allennlp.stack_check``: the last step of an install (``make install`` runs it; so should a
manual install, README "Install without make"). It

  1. records NLTK's ``punkt`` resource as present inside the environment, when NLTK cannot find it: allennlp-models
     (which AllenNLP imports as a plugin on EVERY command) runs ``nltk.download("punkt")`` at import when
     ``nltk.data.find("tokenizers/punkt")`` fails (``allennlp_models/rc/tools/narrativeqa.py``, NarrativeQA's
     evaluation script). That is a network access at run time, and this machine has none. Nothing in this package or
     in AllenNLP's commands uses punkt, so the resource directory holds only a README saying so; a user who needs
     NarrativeQA's metrics runs ``nltk.download("punkt")`` on a machine with a network;
  2. loads AllenNLP's plugins exactly as the ``allennlp`` command does (``import_plugins``) and fails, naming them, on
     any error or warning logged or warned while doing so (a plugin that cannot be loaded is only logged by AllenNLP);
  3. prints the versions of the stack.
"""
import logging
import os
import sys
import warnings
from typing import List

MARKER = """NLTK's `punkt` resource is NOT installed here: this directory only tells NLTK that it is present.
allennlp-models downloads punkt at import when NLTK cannot find it (rc/tools/narrativeqa.py), and AllenNLP imports
allennlp-models on every command; dm2s2_allennlp's install made this directory so that no command reaches for the
network. Nothing in dm2s2_allennlp or AllenNLP's commands uses punkt. To use NarrativeQA's metrics, delete this
directory and run `python -c "import nltk; nltk.download('punkt')"` on a machine with a network.
"""


def record_punkt() -> str:
    """Make ``nltk.data.find("tokenizers/punkt")`` succeed inside this environment; returns what was done."""
    import nltk

    try:
        return f"NLTK punkt: found at {nltk.data.find('tokenizers/punkt')}"
    except LookupError:
        directory = os.path.join(sys.prefix, "nltk_data", "tokenizers", "punkt")  # on nltk.data.path by default
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "README.txt"), "w", encoding="utf-8") as handle:
            handle.write(MARKER)
        return f"NLTK punkt: recorded as present in {directory} (see its README.txt)"


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname} {record.name}: {record.getMessage()}")


def load_plugins_quietly() -> List[str]:
    """Import AllenNLP's plugins as its command line does; every warning or error that this logs or warns."""
    collect = _Collect()
    logging.getLogger().addHandler(collect)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # what a user's terminal shows (DeprecationWarnings outside __main__ hidden)
        from allennlp.common.plugins import import_plugins

        import_plugins()
    logging.getLogger().removeHandler(collect)
    shown = [w for w in caught if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))]
    return collect.messages + [f"{w.category.__name__} {w.filename}:{w.lineno}: {w.message}" for w in shown]


def main() -> int:
    print("==", record_punkt())
    problems = load_plugins_quietly()
    if problems:
        print("== the stack is installed but AllenNLP's plugins do not load cleanly:", *problems, sep="\n   ")
        return 1
    import allennlp.version
    import allennlp_models.version
    import torch
    import transformers

    print(f"== stack ok: torch {torch.__version__}, transformers {transformers.__version__}, allennlp "
          f"{allennlp.version.VERSION}, allennlp-models {allennlp_models.version.VERSION}, plugins loaded "
          f"offline without a warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
