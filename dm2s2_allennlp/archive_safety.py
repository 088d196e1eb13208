"""Archives are extracted with tarfile's ``data`` filter: no member can land outside the extraction folder (a member
named ``../../x``, an absolute path or a link out is refused with a ``tarfile.FilterError``). AllenNLP's
``load_archive`` calls ``extractall`` without a filter, so ``dm2s2`` and ``dm2s2_allennlp.load`` run it inside
``safe_extraction()``; the filter is set only for that while, never at import."""
import tarfile
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def safe_extraction() -> Iterator[None]:
    saved = tarfile.TarFile.extraction_filter
    tarfile.TarFile.extraction_filter = staticmethod(tarfile.data_filter)
    try:
        yield
    finally:
        tarfile.TarFile.extraction_filter = saved
