"""The training labels as the arrays LightGBM fits (``train-lightgbm`` and the recipe's blend): multi-hot rows over
the label names (``MultiLabelField``), class indices (``LabelField``) or values (a scalar ``TensorField``) -- read off
the fields the readers made, so the task is what the data says it is."""
from typing import Sequence

import numpy as np
from allennlp.data import Instance
from allennlp.data.fields import LabelField, MultiLabelField


def label_targets(instances: Sequence[Instance], names: Sequence[str]) -> np.ndarray:
    """``instances``' labels as one array; ``names`` are the label vocabulary in the model's order."""
    fields = [instance["label"] for instance in instances]
    index = {name: i for i, name in enumerate(names)}
    if fields and isinstance(fields[0], MultiLabelField):
        rows = np.zeros((len(fields), len(names)), dtype=np.float32)
        for row, field in enumerate(fields):
            rows[row, [index[name] for name in field.labels]] = 1.0
        return rows
    if fields and isinstance(fields[0], LabelField):
        return np.array([index[field.label] for field in fields], dtype=np.int64)
    return np.array([float(field.tensor) for field in fields], dtype=np.float64)
