import html
import json
import os
import subprocess
import sys

import pytest
import torch
from allennlp.commands.train import train_model
from allennlp.common import Params
from allennlp.data import Batch

from dm2s2_allennlp.commands.erase_modalities import erase, erase_modalities
from dm2s2_allennlp.commands.explain import explain, find_chromium
from tests.conftest import FIXTURES, ROOT

DATA = str(FIXTURES / "generic" / "multilabel.jsonl")
MOVIE = ["title", "year", "length", "labels", "faces"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    out = tmp_path_factory.mktemp("explain") / "run"
    train_model(Params.from_file(str(FIXTURES / "configs" / "multilabel.jsonnet")), str(out))
    return str(out / "model.tar.gz")


def test_erasing_changes_exactly_that_modality(archive):
    from allennlp.models.archival import load_archive

    loaded = load_archive(archive)
    instances = list(loaded.validation_dataset_reader.read(DATA))

    def tensors(items):
        batch = Batch(items)
        batch.index_instances(loaded.model.vocab)
        return batch.as_tensor_dict()

    original = tensors(instances)
    for j in range(len(MOVIE)):
        erased = tensors([erase(i, j) for i in instances])
        mask, erased_mask = original["modalities"]["tokens"]["mask"], erased["modalities"]["tokens"]["mask"]
        assert not erased_mask[:, j].any()
        width = erased_mask.shape[-1]
        others = [k for k in range(len(MOVIE)) if k != j]
        assert torch.equal(erased_mask[:, others], mask[:, others, :width])
        assert torch.equal(erased["modalities"]["tokens"]["token_ids"][:, others],
                           original["modalities"]["tokens"]["token_ids"][:, others, :width])
        assert torch.equal(erased["label"], original["label"])
        # a missing modality has no number either (a face count is also a numeric feature)
        assert not erased["numbers"][:, j].any() and torch.equal(erased["numbers"][:, others],
                                                                  original["numbers"][:, others])
    assert original["numbers"][:, :, 1].any()  # the data has numbers to erase
    assert len(instances[0]["modalities"].field_list[0].tokens) > 0  # the originals are untouched


def test_erase_modalities_outputs(archive, tmp_path):
    result = erase_modalities(archive, DATA, str(tmp_path))
    assert set(result["change"]) == set(MOVIE)
    for name in MOVIE:
        for metric, value in result["full"].items():
            assert result["change"][name][metric] == pytest.approx(result["erased"][name][metric] - value)
    saved = json.loads((tmp_path / "erasure.json").read_text())
    for name in MOVIE:
        assert saved["change"][name] == pytest.approx(result["change"][name])
    table = (tmp_path / "erasure.md").read_text()
    assert all(f"| {name} |" in table for name in MOVIE) and "Δ f1_micro" in table
    png = (tmp_path / "erasure.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def not_blank(png_path):
    import matplotlib.image

    pixels = matplotlib.image.imread(png_path)[..., :3]
    coloured = (abs(pixels[..., 0] - pixels[..., 2]) > 0.1).mean()  # shaded cells are orange or blue, not grey
    dark = (pixels.mean(-1) < 0.5).mean()  # text
    return coloured, dark


def test_explain_page_has_every_modality_and_word(archive, tmp_path):
    result = explain(archive, DATA, str(tmp_path))
    page = (tmp_path / "explanations.html").read_text()
    assert "http://" not in page and "https://" not in page and "<script" not in page  # self-contained
    explanations = [json.loads(line) for line in (tmp_path / "explanations.jsonl").read_text().splitlines()]
    assert result["records"] == len(explanations) == 8
    for explanation in explanations:
        assert html.escape(str(explanation["id"])) in page
        assert sum(explanation["inter_weights"].values()) == pytest.approx(
            1.0 if any(explanation["intra_weights"].values()) else 0.0, abs=1e-5)
        for name, words in explanation["intra_weights"].items():
            assert f">{name}</td>" in page
            for word, _ in words:
                assert f">{html.escape(word)}</span>" in page
    assert "(missing)" in page  # m7 has no modality at all
    assert "Animation, Comedy" in page  # the first film's ground truth


@pytest.mark.skipif(find_chromium() is None, reason="Debian's chromium is not installed (make test installs it)")
def test_explain_png_is_rendered_by_headless_chromium(archive, tmp_path):
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    out = subprocess.run([sys.executable, "-m", "allennlp", "explain", archive, DATA, "-o", str(tmp_path),
                          "--max-records", "3"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    png = tmp_path / "explanations.png"
    assert png.exists()
    coloured, dark = not_blank(str(png))
    assert coloured > 0.005 and dark > 0.002, (coloured, dark)


def test_erase_modalities_command_line(archive, tmp_path):
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    out = subprocess.run([sys.executable, "-m", "allennlp", "erase-modalities", archive, DATA, "-o", str(tmp_path),
                          "--metrics", "f1_micro"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "| erased modality | Δ f1_micro |" in out.stdout and (tmp_path / "erasure.png").exists()


def test_baseline_archives_erase_modalities_and_explain_says_why_not(tmp_path, monkeypatch):
    monkeypatch.setenv("DM2S2_TEST_MODEL", "modality_attention_merger")
    monkeypatch.setenv("DM2S2_TEST_TASK", "multilabel")
    out = tmp_path / "merger"
    train_model(Params.from_file(str(FIXTURES / "configs" / "baseline.jsonnet")), str(out))
    result = erase_modalities(str(out / "model.tar.gz"), DATA, str(tmp_path / "erased"))
    assert set(result["change"]) == set(MOVIE)
    with pytest.raises(ValueError, match="ModalityAttentionMergerModel.*allennlp predict"):
        explain(str(out / "model.tar.gz"), DATA, str(tmp_path / "explained"))
