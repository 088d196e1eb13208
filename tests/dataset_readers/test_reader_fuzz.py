"""Property test of the generic reader over random values, types, encodings and line endings: a file either reads
into records whose rendered modalities are exactly ``render_value`` of the raw values, or raises the package's
``DataError`` naming the file (and the line, for a line's problem) -- never any other exception."""
import json
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dm2s2_allennlp.dataset_readers import DataError, MultimodalJsonlReader, render_value
from tests.conftest import TINY_BERT

NAMES = ["title", "year", "tags"]
READERS = {task: MultimodalJsonlReader(modalities=NAMES, task=task, transformer_model_name=TINY_BERT, max_length=48)
           for task in ("multilabel", "classification", "regression")}

scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**6, max_value=10**6),
                    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20))
flat_values = st.one_of(scalars, st.lists(scalars, max_size=4))
odd_values = st.one_of(st.lists(st.lists(scalars, max_size=2), min_size=1, max_size=2),
                       st.dictionaries(st.text(max_size=3), scalars, min_size=1, max_size=2))


def mostly(usual, unusual):
    """``usual`` nine times in ten, else ``unusual`` (one_of alone would draw each branch half the time)."""
    return st.integers(0, 9).flatmap(lambda k: usual if k else unusual)


values = mostly(flat_values, odd_values)  # mostly values a user writes
GOOD_LABELS = {"multilabel": st.lists(st.sampled_from(["A", "B", "C"]), min_size=1, max_size=3),
               "classification": st.sampled_from(["yes", "no"]),
               "regression": st.floats(min_value=-1e6, max_value=1e6)}
odd_labels = st.one_of(st.none(), st.text(max_size=8), st.lists(st.text(max_size=8), max_size=3), st.floats(),
                       st.integers(), st.booleans())
modality_maps = st.dictionaries(mostly(st.sampled_from(NAMES), st.sampled_from(["Title", "other"])), values,
                                max_size=4)


def records(task):
    return st.fixed_dictionaries(
        {"modalities": mostly(modality_maps, values), "label": mostly(GOOD_LABELS[task], odd_labels)},
        optional={"id": mostly(st.text(max_size=6), st.one_of(st.integers(), st.none(),
                                                               st.lists(st.integers(), max_size=1)))})


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), task=st.sampled_from(sorted(READERS)),
       encoding=mostly(st.sampled_from(["utf-8", "utf-8-sig"]), st.sampled_from(["latin-1", "utf-16"])),
       ending=mostly(st.sampled_from(["\n", "\r\n"]), st.just("\r")),
       junk=mostly(st.just(""), st.sampled_from(["{oops", "[1, 2]", "\x00"])))
def test_the_reader_reads_or_raises_a_data_error(data, task, encoding, ending, junk):
    rows = data.draw(mostly(st.lists(records(task), min_size=1, max_size=3), st.just([])))
    text = ending.join([json.dumps(row) for row in rows] + ([junk] if junk else [])) + ending
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "fuzz.jsonl"
        try:
            path.write_bytes(text.encode(encoding))
        except UnicodeEncodeError:
            return  # latin-1 cannot hold this text: not a file anyone can have
        try:
            instances = list(READERS[task].read(str(path)))
        except DataError as error:
            assert str(path) in str(error)
            event("DataError: " + error.problem.split(" (")[0][:40])
            return
        event(f"read {len(instances)} records")
        originals = [row for row in rows]
        assert len(instances) == len(originals)
        for instance, row in zip(instances, originals):
            texts = instance["metadata"]["modality_texts"]
            for name in NAMES:
                assert texts[name] == render_value(row["modalities"].get(name)), (name, row)
            numbers = instance["numbers"].tensor
            for m, name in enumerate(NAMES):
                assert all(math.isfinite(float(x)) for x in numbers[m])
