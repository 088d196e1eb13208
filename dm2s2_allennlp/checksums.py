"""SHA-256 of a file, read in blocks (the image cache's content key; the optional encoder's install check)."""
import hashlib


def sha256_of_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()
