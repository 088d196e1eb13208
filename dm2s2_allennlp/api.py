"""The Python entry: a table (a path or a pandas DataFrame) in, a trained model out, in three lines::

    import dm2s2_allennlp as dm
    model = dm.fit("train.csv", "dev.csv", out="runs/mine")        # or DataFrames; the recipe by default
    model.predict(new_frame)                                        # a DataFrame of predictions

``fit`` is AllenNLP's own ``train_model`` on the recipe (``configs/recipe.jsonnet``, or any config file) with the data
paths and any ``overrides`` (``{"trainer.num_epochs": 3}``) applied and the data's facts settled before the run
(``training.settled_train``), exactly what ``dm2s2 train CONFIG -s OUT -o ...`` runs; the archive is the one the CLI
writes (``OUT/model.tar.gz``), so ``dm2s2 evaluate/predict`` read it and ``load`` reads the CLI's. A DataFrame is
written as Parquet into ``OUT.data/`` beside the run first (its column types, lists and nulls kept), so the run's
config names a file that stays (``--recover`` reads it again). Every data argument may be a path to a CSV, TSV,
Parquet or JSONL file, or a DataFrame (one column a modality, plus the ``id`` and ``label`` columns:
``multimodal_table``; a column of image paths, relative to the working directory, is read as its visual modalities).

``Trained`` (what ``fit`` and ``load`` return) wraps AllenNLP's ``Archive`` and the archive's predictor: ``evaluate``
(the metrics, as ``dm2s2 evaluate``), ``predict`` (one row a record: its id, the prediction, each class's probability
or the predicted value, each modality's InterMRA weight), ``explain`` (the paper's Fig. 3, as ``dm2s2 explain``).
"""
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

from allennlp.common import Params

RECIPE = str(Path(__file__).resolve().parent / "configs" / "recipe.jsonnet")
Data = Union[str, os.PathLike, "pandas.DataFrame"]  # noqa: F821


def data_path(data: Data, folder: Path, name: str, images_from: Optional[str] = None) -> str:
    """A data argument as a file path: a path as given, a DataFrame written to ``folder/name.parquet`` (its image
    paths made absolute from ``images_from``, default the working directory: ``absolute_image_paths``)."""
    if isinstance(data, (str, os.PathLike)):
        return str(data)
    import pandas
    import pyarrow

    if not isinstance(data, pandas.DataFrame):
        raise TypeError(f"a data argument is a file path or a pandas DataFrame, got {type(data).__name__}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.parquet"
    frame = data.reset_index(drop=True)
    frame.columns = [str(column) for column in frame.columns]
    frame = absolute_image_paths(frame, images_from)
    try:
        frame.to_parquet(path, index=False)
    except (pyarrow.ArrowInvalid, pyarrow.ArrowTypeError) as error:
        column = str(error).rsplit("column ", 1)[-1].split(" with type")[0] if "column " in str(error) else "a column"
        raise TypeError(f"the DataFrame's {column} mixes value types that a table cannot hold ({error.args[0]}): "
                        f"give it one type, e.g. frame[{column!r}].astype(str), or write the records as JSONL") \
            from None
    return str(path)


def absolute_image_paths(frame: "pandas.DataFrame",  # noqa: F821
                         images_from: Optional[str] = None) -> "pandas.DataFrame":  # noqa: F821
    """A DataFrame has no folder, so its relative image paths are read from ``images_from`` (default: the working
    directory) and written absolute: in each column whose every present value is an image path
    (``image_columns.looks_like_image_path``). A column none of whose paths names a file there is a
    ``FileNotFoundError`` naming it and ``images_from`` (read from a CSV in ``data/mine``? pass
    ``images_from="data/mine"``), never a column of image names silently read as text."""
    from dm2s2_allennlp.dataset_readers.image_columns import looks_like_image_path, resolve

    base = os.path.abspath(images_from or ".")
    frame = frame.copy()
    for column in frame.columns:
        present = [v for v in frame[column] if isinstance(v, str) and v.strip()]
        if frame[column].dtype != object or not present or not all(looks_like_image_path(v) for v in present):
            continue
        if not any(os.path.isfile(resolve(v, base)) for v in present):
            raise FileNotFoundError(f"the DataFrame's column {column!r} holds image paths, none of them a file in "
                                    f"{base} (e.g. {present[0]!r}): a DataFrame's paths are read from the working "
                                    "directory; pass images_from=<the folder they are relative to>")
        frame[column] = [resolve(v, base) if isinstance(v, str) and v.strip() else v for v in frame[column]]
    return frame


def fit(train: Data, validation: Data, out: str, config: str = RECIPE,
        overrides: Optional[Dict[str, Any]] = None, test: Optional[Data] = None, force: bool = False,
        images_from: Optional[str] = None) -> "Trained":
    """Train ``config`` (the recipe by default) on ``train`` with ``validation`` choosing the epoch; the run's files
    go to ``out`` (``force``: replace a finished run there). ``test`` is evaluated at the end (its metrics in
    ``out/metrics.json``). ``images_from``: the folder a DataFrame's relative image paths are read from (default: the
    working directory; a file's are read from its own folder). Returns the trained model
    (``load(out/model.tar.gz)``)."""
    from dm2s2_allennlp.training.settled_train import load_params, train_settled

    folder = Path(out)
    if folder.exists() and any(folder.iterdir()) and not force:
        raise FileExistsError(f"{out} is not empty: name another `out`, or pass force=True to replace it")
    inputs = folder.parent / f"{folder.name}.data"  # beside the run: AllenNLP starts a run in an empty folder
    paths = {"train_data_path": data_path(train, inputs, "train", images_from),
             "validation_data_path": data_path(validation, inputs, "validation", images_from)}
    if test is not None:
        paths.update(test_data_path=data_path(test, inputs, "test", images_from), evaluate_on_test=True)
    params: Params = load_params(str(config), {**paths, **(overrides or {})})
    train_settled(params, str(folder), force=force)
    return load(str(folder / "model.tar.gz"))


def load(archive: str, cuda_device: int = -1) -> "Trained":
    """A trained model from its archive (``fit``'s or ``dm2s2 train``'s ``model.tar.gz``)."""
    from allennlp.models.archival import load_archive

    from dm2s2_allennlp.archive_safety import safe_extraction

    with safe_extraction():
        return Trained(load_archive(str(archive), cuda_device=cuda_device))


class Trained:
    """A trained model: its AllenNLP ``archive`` (``.model``, ``.config``, ``.dataset_reader``) and its predictor."""

    def __init__(self, archive) -> None:
        from allennlp.predictors import Predictor

        self.archive = archive
        self.model = archive.model
        self.predictor = Predictor.from_archive(archive)

    @property
    def modalities(self) -> List[str]:
        return list(self.model.modalities)

    def instances(self, data: Data, images_from: Optional[str] = None) -> list:
        """The records of ``data`` read by the archive's reader (a DataFrame through a temporary Parquet file, its
        relative image paths read from ``images_from``, default the working directory)."""
        with tempfile.TemporaryDirectory(prefix="dm2s2-") as folder:
            path = data_path(data, Path(folder), "data", images_from)
            return list(self.archive.validation_dataset_reader.read(path))

    def evaluate(self, data: Data, batch_size: int = 64, images_from: Optional[str] = None) -> Dict[str, float]:
        """The metrics on labeled ``data``, as ``dm2s2 evaluate`` computes them."""
        from allennlp.data.data_loaders import SimpleDataLoader
        from allennlp.training.util import evaluate

        instances = self.instances(data, images_from)
        if not any("label" in instance for instance in instances):
            raise ValueError("no record of the data has a label: evaluate needs labeled data (predict does not)")
        loader = SimpleDataLoader(instances, batch_size)
        loader.index_with(self.model.vocab)
        device = next(self.model.parameters()).device
        return evaluate(self.model, loader, cuda_device=device.index if device.type == "cuda" else -1)

    def predict_records(self, data: Data, batch_size: int = 64,
                        images_from: Optional[str] = None) -> List[Dict[str, Any]]:
        """The predictor's output for every record of ``data`` (as ``dm2s2 predict`` writes it)."""
        instances = self.instances(data, images_from)
        outputs: List[Dict[str, Any]] = []
        for start in range(0, len(instances), batch_size):
            outputs.extend(self.predictor.predict_batch_instance(instances[start:start + batch_size]))
        return outputs

    def predict(self, data: Data, batch_size: int = 64,
                images_from: Optional[str] = None) -> "pandas.DataFrame":  # noqa: F821
        """One row a record: ``id``, ``prediction`` (the labels, the class or the value), ``probability_<class>`` for
        each class (classification, multi-label), and ``weight_<modality>`` for each modality's InterMRA weight
        (DM2S2; the baselines' own modality weights)."""
        import pandas

        rows = []
        for output in self.predict_records(data, batch_size, images_from):
            row: Dict[str, Any] = {"id": output.get("id")}
            row["prediction"] = next((output[k] for k in ("labels", "label", "prediction") if k in output), None)
            row.update({f"probability_{name}": p for name, p in output.get("label_probs", {}).items()})
            weights = next((output[k] for k in ("inter_weights", "modality_weights", "modality_importance")
                            if k in output), {})
            row.update({f"weight_{name}": value for name, value in weights.items()})
            rows.append(row)
        return pandas.DataFrame(rows)

    def explain(self, data: Data, out_dir: str, max_records: int = 20,
                images_from: Optional[str] = None) -> Dict[str, str]:
        """The paper's Fig. 3 for the first ``max_records`` records of ``data`` (``dm2s2 explain``): the files it
        wrote (``html``, ``jsonl``, and ``png`` where headless Chromium is installed)."""
        from dm2s2_allennlp.commands.explain import check_explainable, explain_instances, writable_folder

        check_explainable(self.model)
        writable_folder(out_dir)  # before any record is read or predicted
        return explain_instances(self.predictor, self.instances(data, images_from)[:max_records], out_dir)
