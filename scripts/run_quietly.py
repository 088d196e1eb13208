"""Run a `dm2s2` command with its INFO logs (AllenNLP logs every parameter it reads) in a log file, and only its
progress bars, warnings, errors and printed results on the terminal. Used by `make demo` and the benchmarks."""
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import IO, Sequence

ROOT = Path(__file__).resolve().parents[1]
RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ - (\w+) - ")  # a log record's first line
# a notice from AllenNLP's trainer on this torch, not from this package, that says nothing about the run
KNOWN_NOTICES = ["ignore:`torch.cuda.amp.autocast(args...)` is deprecated:FutureWarning"]


def run_allennlp(args: Sequence[str], log: IO[str], echo: bool = True) -> None:
    """``dm2s2 ARGS`` (AllenNLP's command line with the plugin loaded; ``train`` settles the data's facts before the
    run); raises ``CalledProcessError`` (after showing the end of the log) if it fails."""
    command = [sys.executable, "-m", "dm2s2_allennlp", *args]
    log.write("\n$ dm2s2 " + " ".join(args) + "\n")
    log.flush()
    if echo:
        print("$ dm2s2 " + " ".join(args), flush=True)
    env = dict(os.environ, HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false",
               PYTHONWARNINGS=",".join(KNOWN_NOTICES))
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    tail, piece, level, open_line = [], b"", None, False
    while True:
        chunk = process.stdout.read1(4096) if hasattr(process.stdout, "read1") else process.stdout.read(4096)
        if not chunk:
            break
        piece += chunk
        while True:  # split on newlines and on the carriage returns of progress bars
            cut = min((i for i in (piece.find(b"\n"), piece.find(b"\r")) if i >= 0), default=-1)
            if cut < 0:
                break
            line, end, piece = piece[:cut].decode(errors="replace"), piece[cut:cut + 1].decode(), piece[cut + 1:]
            log.write(line + "\n")
            tail = (tail + [line])[-40:]
            record = RECORD.match(line)
            if record:
                level = record.group(1)
            quiet = level in ("INFO", "DEBUG") and (record or end == "\n")  # a record's continuation lines too
            if not quiet and line.strip():
                sys.stdout.write(line + ("\n" if end == "\n" else "\r"))
                sys.stdout.flush()
                open_line = end != "\n"
    if open_line:  # a progress bar's last state stays on screen
        sys.stdout.write("\n")
    code = process.wait()
    log.flush()
    if code != 0:
        print("\n".join(tail), file=sys.stderr)
        raise subprocess.CalledProcessError(code, command)
