"""The reader states the data's facts once (issue 25): inferred modalities and task, each logged; explicit ones win;
the facts reach the vocabulary (reader_facts); one rule says what a number is, for the network and LightGBM alike."""
import json
import logging

import pytest
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary

from dm2s2_allennlp.dataset_readers import AdLpReader, MultimodalJsonlReader
from dm2s2_allennlp.dataset_readers.multimodal_reader import number_of
from dm2s2_allennlp.dataset_readers.reader_facts import stated_facts
from dm2s2_allennlp.gbm import RecordFeatures
from tests.conftest import FIXTURES, TINY_BERT, fit_head, make_model


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return str(path)


def test_modalities_are_every_name_of_the_first_file_in_first_seen_order(tmp_path, caplog):
    path = write(tmp_path / "train.jsonl", [
        {"modalities": {"title": "Heat", "year": 1995}, "label": ["Action"]},
        {"modalities": {"year": 1996, "budget": 7, "title": "Fargo"}, "label": ["Crime"]},  # budget first seen here
        {"modalities": {"plot": "a heist"}, "label": ["Crime"]},
    ])
    reader = MultimodalJsonlReader(transformer_model_name=TINY_BERT)
    with caplog.at_level(logging.INFO):
        instances = list(reader.read(path))
    assert reader.modalities == ["title", "year", "budget", "plot"]
    assert [i["metadata"]["modality_names"] for i in instances] == [["title", "year", "budget", "plot"]] * 3
    assert reader.task == "multilabel"
    assert reader.inferred_facts() == {"modalities": reader.modalities, "task": "multilabel"}
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("dm2s2_allennlp.dataset_readers")]
    assert sum("modalities: ['title', 'year', 'budget', 'plot'], inferred from" in m for m in lines) == 1
    assert sum(m.startswith("task: 'multilabel', inferred from the first label") for m in lines) == 1
    # a later file (validation) keeps the training file's modalities, whatever order it names them in
    other = write(tmp_path / "dev.jsonl", [{"modalities": {"plot": "x", "title": "y"}, "label": ["Crime"]}])
    assert list(reader.read(other))[0]["metadata"]["modality_names"] == ["title", "year", "budget", "plot"]


@pytest.mark.parametrize("label, task", [(["A", "B"], "multilabel"), ("parallel", "classification"),
                                         (0.25, "regression"), (3, "regression")])
def test_the_task_follows_the_labels(tmp_path, label, task):
    path = write(tmp_path / "d.jsonl", [{"modalities": {"t": "y"}, "label": label}])
    reader = MultimodalJsonlReader(transformer_model_name=TINY_BERT)
    instance = list(reader.read(path))[0]
    assert reader.task == task and "label" in instance


def test_explicit_facts_win_and_are_not_reported_as_inferred(tmp_path):
    path = write(tmp_path / "d.jsonl", [{"modalities": {"a": "x", "b": "y"}, "label": "1"}])
    reader = MultimodalJsonlReader(modalities=["b", "a"], task="classification", transformer_model_name=TINY_BERT)
    list(reader.read(path))
    assert reader.modalities == ["b", "a"] and reader.inferred_facts() == {}
    # a string label with `task: regression` stated is an error, not a silently inferred classification
    with pytest.raises(Exception, match="task 'regression' needs a finite number"):
        list(MultimodalJsonlReader(task="regression", transformer_model_name=TINY_BERT).read(path))


def test_the_facts_reach_the_vocabulary_in_the_readers_order():
    reader = MultimodalJsonlReader(transformer_model_name=TINY_BERT, max_length=48)
    instances = list(reader.read(str(FIXTURES / "generic" / "regression.jsonl")))
    facts = stated_facts(Vocabulary.from_instances(instances))
    assert facts == {"modalities": ["keyword", "title", "lp_text", "performance"], "task": "regression",
                     "encoder": TINY_BERT, "max_length": 48}
    assert stated_facts(Vocabulary()) == {}


def test_a_fixed_format_reader_refuses_another_task():
    with pytest.raises(ConfigurationError, match="ad_lp reader's task is always 'regression'"):
        AdLpReader(task="classification", transformer_model_name=TINY_BERT)
    with pytest.raises(ConfigurationError, match="`modalities` must name"):
        AdLpReader(modalities=[], transformer_model_name=TINY_BERT)


def test_one_rule_says_what_a_number_is_for_the_network_and_for_lightgbm(tmp_path):
    assert [number_of(t) for t in ["1995", " -0.5 ", "1e-3", "1,234,567", "1,2", "12 monkeys", "true", "nan",
                                   "inf", None, ""]] == [1995.0, -0.5, 0.001, 1234567.0, None, None, None, None,
                                                         None, None, None]
    path = write(tmp_path / "d.jsonl", [
        {"modalities": {"faces": "2", "year": 1995, "title": "1984", "mixed": "3"}, "label": 1.0},  # CSV-like strings
        {"modalities": {"faces": "0", "year": 2001, "title": "Heat", "mixed": [3, 4]}, "label": 2.0},
    ])
    instances = list(MultimodalJsonlReader(transformer_model_name=TINY_BERT).read(path))
    present = [i["numbers"].tensor[:, 1].tolist() for i in instances]
    assert present == [[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 0.0, 0.0]]  # the network's presence flags
    texts = [i["metadata"]["modality_texts"] for i in instances]
    features = RecordFeatures(["faces", "year", "title", "mixed"]).fit(texts)
    # LightGBM's numeric columns: the modalities whose every present value the same rule calls a number
    assert features.numeric == [name for k, name in enumerate(["faces", "year", "title", "mixed"])
                                if all(p[k] for p in present)] == ["faces", "year"]
    # ... and the network's numeric features keep the same modalities
    model = make_model("dm2s2", Vocabulary.from_instances(instances), None, task="regression", numeric_features=True)
    fit_head(model, instances)
    assert [n for n, keep in zip(model.modalities, model.numeric.numeric.tolist()) if keep] == features.numeric
