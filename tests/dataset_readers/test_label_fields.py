"""What a label is belongs to the data layer: the readers' one rule per task, AllenNLP's own field types, and a
data layer that imports nothing from the model layer (heads, models, encoders), directly or through another module
of the package."""
import ast
from pathlib import Path

import pytest
from allennlp.data.fields import LabelField, MultiLabelField, TensorField

from dm2s2_allennlp.dataset_readers.label_fields import TASKS, label_field
from dm2s2_allennlp.errors import DataError

PACKAGE = Path(__file__).resolve().parents[2] / "dm2s2_allennlp"
MODEL_LAYER = ("dm2s2_allennlp.heads", "dm2s2_allennlp.models", "dm2s2_allennlp.encoders")


@pytest.mark.parametrize("task, good, field_type, bad", [
    ("multilabel", ["A", " B "], MultiLabelField, ["A", ""]), ("classification", " yes", LabelField, ["yes"]),
    ("regression", 2, TensorField, float("inf")),
])
def test_each_task_has_one_label_rule_and_allennlps_field(task, good, field_type, bad):
    field = label_field(task, good, "f:1")
    assert isinstance(field, field_type)
    if task == "multilabel":
        assert field.labels == ["A", "B"]
    with pytest.raises(DataError, match=rf"f:1: field 'label': task '{task}' needs"):
        label_field(task, bad, "f:1")
    assert task in TASKS


def module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_imports(module: str):
    path = PACKAGE.parent / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = PACKAGE.parent / module.replace(".", "/") / "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dm2s2_allennlp"):
            yield node.module
            for alias in node.names:  # `from dm2s2_allennlp.x import submodule`
                candidate = f"{node.module}.{alias.name}"
                if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists():
                    yield candidate
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("dm2s2_allennlp"))


def test_the_data_layer_imports_nothing_from_the_model_layer():
    start = [module_of(p) for p in (PACKAGE / "dataset_readers").glob("*.py")]
    seen, todo = set(), list(start)
    while todo:
        module = todo.pop()
        if module in seen or module == "dm2s2_allennlp":  # the package's __init__ registers everything, by design
            continue
        seen.add(module)
        todo.extend(package_imports(module))
    assert not [m for m in seen if m.startswith(MODEL_LAYER)], sorted(seen)
    assert "dm2s2_allennlp.dataset_readers.label_fields" in seen
