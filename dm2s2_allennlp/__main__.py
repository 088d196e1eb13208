"""The ``dm2s2`` console script: AllenNLP's command line with this plugin loaded (``dm2s2 train ...``)."""
import sys


def main() -> None:
    import dm2s2_allennlp  # noqa: F401  registers the plugin's components
    from allennlp.commands import main as allennlp_main

    allennlp_main(prog="dm2s2")


if __name__ == "__main__":
    sys.exit(main())
