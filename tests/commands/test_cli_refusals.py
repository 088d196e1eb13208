"""What `dm2s2` refuses before any work (issue 35): a prediction output that is its input (it would be emptied), a
batch size or record count below 1, and an archive with a member that would be written outside the extraction folder
(tarfile's `data` filter), each in one line."""
import io
import json
import tarfile

from tests.commands.test_cli_messages import UNLABELED, dm2s2


def one_line(result, text):
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert text in result.stderr.splitlines()[-2]


def test_predict_into_its_own_input_and_a_zero_batch_are_refused(multilabel_archive, tmp_path):
    data = tmp_path / "data.jsonl"
    data.write_text(open(UNLABELED).read())
    before = data.read_bytes()
    archive = str(multilabel_archive / "model.tar.gz")
    one_line(dm2s2("predict", archive, str(data), "--output-file", str(data)), "is the input file")
    assert data.read_bytes() == before
    one_line(dm2s2("predict", archive, str(data), "--output-file", str(tmp_path / "o.jsonl"), "--batch-size", "0"),
             "--batch-size must be 1 or more")
    one_line(dm2s2("explain", archive, str(data), "-o", str(tmp_path / "x"), "--max-records", "0"),
             "--max-records must be 1 or more")


def test_an_archive_member_outside_its_folder_is_never_written(tmp_path):
    crafted = tmp_path / "model.tar.gz"
    with tarfile.open(crafted, "w:gz") as archive:
        payload = b"escaped"
        member = tarfile.TarInfo("../../../../" + str(tmp_path / "escaped.txt").lstrip("/"))
        member.size = len(payload)
        archive.addfile(member, io.BytesIO(payload))
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps({"modalities": {"title": "x"}}) + "\n")
    result = dm2s2("predict", str(crafted), str(data), "--output-file", str(tmp_path / "o.jsonl"))
    one_line(result, "the archive cannot be read")
    assert not (tmp_path / "escaped.txt").exists()


def test_predict_on_an_empty_file_says_so(multilabel_archive, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n  \n")
    result = dm2s2("predict", str(multilabel_archive / "model.tar.gz"), str(empty), "--output-file",
                   str(tmp_path / "o.jsonl"))
    one_line(result, "no records")


def test_predict_reads_a_bom_a_deeply_nested_line_and_records_without_an_id(multilabel_archive, tmp_path):
    good = {"modalities": {"title": "Heat", "year": 1995}}
    data = tmp_path / "data.jsonl"
    data.write_bytes(("\ufeff" + json.dumps(good) + "\n" + "[" * 100000 + "]" * 100000 + "\n" + json.dumps(good)
                      + "\n").encode("utf-8"))
    output = tmp_path / "o.jsonl"
    result = dm2s2("predict", str(multilabel_archive / "model.tar.gz"), str(data), "--output-file", str(output),
                   "--silent")
    assert result.returncode == 0, result.stderr[-2000:]
    first, deep, last = [json.loads(line) for line in output.read_text().splitlines()]
    assert "error" not in first and "labels" in first and first["id"] is None  # null, not the string "None"
    assert "nested too deeply" in deep["error"] and "input record 2" in deep["error"]
    assert "labels" in last


def test_explain_into_a_file_is_refused_before_any_prediction(multilabel_archive, tmp_path):
    target = tmp_path / "taken.txt"
    target.write_text("mine")
    one_line(dm2s2("explain", str(multilabel_archive / "model.tar.gz"), UNLABELED, "-o", str(target)),
             "is a file: name a folder")
    assert target.read_text() == "mine"


def test_a_truncated_or_empty_archive_is_one_line(multilabel_archive, tmp_path):
    whole = (multilabel_archive / "model.tar.gz").read_bytes()
    for name, body in (("cut.tar.gz", whole[: len(whole) // 2]), ("empty.tar.gz", b"")):
        (tmp_path / name).write_bytes(body)
        one_line(dm2s2("evaluate", str(tmp_path / name), UNLABELED), "is it a complete model.tar.gz?")
