"""`allennlp predict` with bad lines: each bad line gives one {"error": ...} output line naming its position and id,
the other records are predicted; unknown modality names are reported; a missing gold label is null."""
import json
import subprocess
import sys

from tests.conftest import ROOT



def test_bad_lines_become_error_lines_and_the_rest_is_predicted(tmp_path, multilabel_archive):
    archive = multilabel_archive / "model.tar.gz"
    good = {"id": "g1", "modalities": {"title": "Heat", "year": 1995}}
    inputs = [json.dumps(good), "garbage {", json.dumps({"id": "nm", "label": ["Drama"]}),
              json.dumps({"id": "typo", "modalities": {"Title": "Heat"}}),
              json.dumps({"id": "half", "modalities": {"title": "Heat", "Year": 1995}}),
              json.dumps({"id": "bad-value", "modalities": {"title": {"x": 1}}}), json.dumps(dict(good, id="g2"))]
    data = tmp_path / "in.jsonl"
    data.write_text("\n".join(inputs) + "\n")
    out = tmp_path / "out.jsonl"
    result = subprocess.run([sys.executable, "-m", "allennlp", "predict", str(archive), str(data), "--output-file",
                             str(out), "--silent", "--include-package", "dm2s2_allennlp"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == len(inputs)
    assert lines[0]["id"] == "g1" and lines[0]["gold"] is None and "labels" in lines[0]
    assert lines[1]["error"].startswith("input record 2: not JSON")
    assert "input record 3" in lines[2]["error"] and "`modalities` object" in lines[2]["error"]
    assert lines[2]["id"] == "nm"
    assert "none of the record's modality names ['Title']" in lines[3]["error"]
    assert lines[4]["ignored_modalities"] == ["Year"] and "labels" in lines[4]
    assert "modalities.title" in lines[5]["error"] and lines[5]["id"] == "bad-value"
    assert lines[6]["id"] == "g2" and "labels" in lines[6]
