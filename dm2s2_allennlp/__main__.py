"""The ``dm2s2`` console script: AllenNLP's command line with this plugin loaded (``dm2s2 train ...``), so the
plugin's own subcommands work in any directory (``allennlp`` finds them only through a ``.allennlp_plugins`` file in
the working directory: it lists its subcommands before it reads ``--include-package``).

What it adds to ``allennlp``'s behaviour, for a person at a terminal:
  * bad input or a config mistake (``DataError``, ``ConfigurationError``) ends in ONE short message
    (``file:line: field: what to do``) and exit status 1; ``DM2S2_DEBUG=1`` shows the full traceback;
  * ``dm2s2 predict`` on a table (``.csv``, ``.tsv``, ``.parquet``) reads it with the archive's reader;
  * ``dm2s2 predict`` on a file with lines that are not UTF-8 predicts the other lines and writes an error line
    naming the file and line for each bad one (``allennlp predict`` stops at the first with Python's
    ``UnicodeDecodeError``, before writing anything);
  * ``dm2s2 train`` settles the facts the generic reader infers (modalities, task) from the training file BEFORE
    the run, so the run's ``config.json`` states them from the start and ``--recover`` works
    (``training.settled_train``); every data file the config names is checked first;
  * ``predict --output-file`` naming the input file, ``--batch-size`` below 1 and ``explain --max-records`` below 1
    are refused before any work; an archive is extracted with tarfile's ``data`` filter (nothing outside the
    extraction folder);
  * AllenNLP's trainer's notice about ``torch.cuda.amp.autocast`` on this torch (it says nothing about the run) is
    not shown.
"""
import atexit
import json
import os
import sys
import tarfile
import tempfile
import warnings
from typing import List, Optional

DEBUG = "DM2S2_DEBUG"


def undecodable_lines_as_errors(path: str) -> Optional[str]:
    """A copy of the prediction input ``path`` in which every line that is not UTF-8 is a JSON record that only
    holds an error naming the file and line (the predictor answers it with an error line); ``None`` when every line
    decodes."""
    with open(path, "rb") as handle:
        raw_lines = handle.read().split(b"\n")
    lines: List[str] = []
    bad = 0
    for number, raw in enumerate(raw_lines, start=1):
        try:
            lines.append(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError as error:
            bad += 1
            problem = (f"not UTF-8 text at line {number} of {path} (byte 0x{raw[error.start]:02x}, column "
                       f"{error.start + 1}); save the file as UTF-8")
            lines.append(json.dumps({"error": problem}))
    if not bad:
        return None
    descriptor, copy = tempfile.mkstemp(prefix="dm2s2-predict-", suffix=".jsonl")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    atexit.register(os.remove, copy)  # the checked copy lives as long as the command
    return copy


def archive_has_image_columns(archive_file: str) -> bool:
    """Whether the archive's reader reads image columns (its ``config.json``, which AllenNLP writes first)."""
    try:
        with tarfile.open(archive_file, "r:*") as archive:
            for member in archive:
                if os.path.basename(member.name) == "config.json":
                    config = json.load(archive.extractfile(member))
                    return bool((config.get("dataset_reader") or {}).get("image_columns"))
    except (OSError, tarfile.TarError, ValueError, EOFError, AttributeError):
        return False  # not an archive this can read: AllenNLP's own loading says why
    return False


def checked_predict_input(argv: List[str]) -> List[str]:
    """``argv`` for ``predict``: a table input (``.csv``, ``.tsv``, ``.parquet``), or any input of an archive with
    image columns (their paths are relative to the input's folder, which only the file reader knows), is read by the
    archive's reader (``--use-dataset-reader``: AllenNLP's own line reader reads JSON lines only); a JSONL input that
    has undecodable lines is replaced by its checked copy."""
    if len(argv) < 2 or argv[1] != "predict" or "--use-dataset-reader" in argv:
        return argv
    from allennlp.commands import parse_args

    from dm2s2_allennlp.dataset_readers.table_rows import table_format

    saved, sys.argv = sys.argv, argv
    try:
        _, args = parse_args(prog="dm2s2")  # AllenNLP's own reading of the command line (it exits on a bad one)
    finally:
        sys.argv = saved
    if table_format(args.input_file) is not None or (os.path.isfile(args.archive_file)
                                                     and archive_has_image_columns(args.archive_file)):
        return argv + ["--use-dataset-reader"]
    if not os.path.isfile(args.input_file):
        return argv
    copy = undecodable_lines_as_errors(args.input_file)
    if copy is None:
        return argv
    position = len(argv) - 1 - argv[::-1].index(args.input_file)
    return argv[:position] + [copy] + argv[position + 1:]


def check_arguments(args) -> None:
    """Refuse, before any work, what AllenNLP's commands would do silently wrong."""
    from allennlp.commands.predict import _predict
    from allennlp.common.checks import ConfigurationError

    from dm2s2_allennlp.dataset_readers.file_checks import text_lines
    from dm2s2_allennlp.dataset_readers.table_rows import table_format

    output, given = getattr(args, "output_file", None), getattr(args, "input_file", None)
    if output and given and os.path.exists(output) and os.path.realpath(output) == os.path.realpath(given):
        raise ConfigurationError(f"--output-file {output} is the input file: it would be emptied before it is read; "
                                 "name another output file")
    if args.func is _predict and given and os.path.isfile(given) and table_format(given) is None \
            and next(text_lines(given), None) is None:  # a table's reader says "no records" itself
        raise ConfigurationError(f"{given}: no records (an empty file, or only blank lines): nothing to predict")
    if getattr(args, "batch_size", None) is not None and args.batch_size < 1:
        raise ConfigurationError(f"--batch-size must be 1 or more, got {args.batch_size}")
    if getattr(args, "max_records", None) is not None and args.max_records < 1:
        raise ConfigurationError(f"--max-records must be 1 or more, got {args.max_records}")


def run_command() -> None:
    """AllenNLP's ``main``, with ``train`` settling the data's facts before the run (``training.settled_train``)."""
    from allennlp.commands import parse_args
    from allennlp.commands.train import train_model_from_args
    from allennlp.common.util import import_module_and_submodules

    from dm2s2_allennlp.archive_safety import safe_extraction
    from dm2s2_allennlp.training.settled_train import train_from_args

    parser, args = parse_args(prog="dm2s2")
    if "func" not in dir(args):
        parser.print_help()
        return
    check_arguments(args)
    for package_name in getattr(args, "include_package", None) or []:
        import_module_and_submodules(package_name)
    with safe_extraction():  # an archive's members never land outside its extraction folder
        (train_from_args if args.func is train_model_from_args else args.func)(args)


def main() -> None:
    import dm2s2_allennlp  # noqa: F401  registers the plugin's components
    from allennlp.common.checks import ConfigurationError

    from dm2s2_allennlp.errors import DataError

    warnings.filterwarnings("ignore", message=r"`torch\.cuda\.amp\.autocast\(args\.\.\.\)` is deprecated",
                            category=FutureWarning)
    sys.argv = checked_predict_input(sys.argv)
    try:
        run_command()
    except (DataError, ConfigurationError, tarfile.TarError, EOFError) as error:
        if os.environ.get(DEBUG):
            raise
        message = getattr(error, "message", None) or str(error)
        if isinstance(error, (tarfile.TarError, EOFError)):
            message = (f"the archive cannot be read ({type(error).__name__}: {error}): is it a complete "
                       "model.tar.gz?")
        print(f"dm2s2: {message}\n(set {DEBUG}=1 to see where in the code this was raised)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    sys.exit(main())
