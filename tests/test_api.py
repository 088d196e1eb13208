"""The Python entry on a Parquet file (issue 33): the recipe from a file's path alone, the model predicting a new
table, and `load` giving the same predictions back (the README's lines, run by tests/test_readme_own_data.py, cover
DataFrames and CSV)."""
import json

import pandas as pd
import pytest

import dm2s2_allennlp as dm
from tests.commands.test_cli_messages import dm2s2
from tests.conftest import FIXTURES


def test_fit_on_parquet_paths_alone_then_load_predicts_the_same(tmp_path, monkeypatch):
    monkeypatch.setenv("DM2S2_CACHE_DIR", str(tmp_path / "cache"))
    records = [json.loads(line) for line in open(FIXTURES / "generic" / "multilabel.jsonl") if line.strip()]
    frame = pd.DataFrame([{"id": r["id"], **r["modalities"], "label": r["label"]} for r in records] * 3)
    frame["id"] = [f"m{k}" for k in range(len(frame))]
    frame["year"] = frame["year"].astype("Int64")  # a nullable integer column, as pandas reads one with gaps
    with pytest.raises(TypeError, match="labels mixes value types"):  # ['man', 'flag', 1]: str and int
        dm.fit(frame, frame, out=str(tmp_path / "mixed"))
    frame["labels"] = [[str(x) for x in v] if isinstance(v, list) else None for v in frame["labels"]]
    frame["faces"] = [None if v is None or v != v else str(v) for v in frame["faces"]]  # numbers and a boolean
    path = tmp_path / "films.parquet"
    frame.to_parquet(path, index=False)
    model = dm.fit(str(path), str(path), out=str(tmp_path / "run"), overrides={"trainer.num_epochs": 2})
    config = json.loads((tmp_path / "run" / "config.json").read_text())["dataset_reader"]
    assert config["task"] == "multilabel" and config["modalities"] == [c for c in frame.columns
                                                                         if c not in ("id", "label")]
    new = frame.drop(columns=["label"]).head(4)
    predicted = model.predict(new)
    assert list(predicted["id"]) == ["m0", "m1", "m2", "m3"]
    assert all(isinstance(labels, list) for labels in predicted["prediction"])
    weights = predicted[[c for c in predicted.columns if c.startswith("weight_")]]
    assert weights.sum(axis=1).tolist() == pytest.approx([1.0] * 4, abs=1e-4)  # InterMRA weights sum to 1
    again = dm.load(str(tmp_path / "run" / "model.tar.gz")).predict(new)
    pd.testing.assert_frame_equal(predicted, again)
    with pytest.raises(FileExistsError, match="not empty"):
        dm.fit(str(path), str(path), out=str(tmp_path / "run"))
    assert set(model.evaluate(str(path))) >= {"f1_micro", "main_score"}
    # `dm2s2 predict` reads a Parquet table with the archive's reader (a binary file: never read as lines)
    new.to_parquet(tmp_path / "new.parquet", index=False)
    result = dm2s2("predict", str(tmp_path / "run" / "model.tar.gz"), str(tmp_path / "new.parquet"),
                   "--output-file", str(tmp_path / "out.jsonl"), "--silent")
    assert result.returncode == 0, result.stderr[-3000:]
    from_cli = [json.loads(line) for line in open(tmp_path / "out.jsonl")]
    assert [p["id"] for p in from_cli] == ["m0", "m1", "m2", "m3"]
    assert [p["labels"] for p in from_cli] == list(predicted["prediction"])
