"""dm2s2_allennlp: DM2S2 (Deep Multi-Modal Sequence Sets with Hierarchical Modality Attention, IEEE Access 2022) and
its baselines as an AllenNLP plugin. Importing the package registers its components and does nothing else.

The Python entry (``api``): ``fit(train, validation, out=...)`` trains the recipe on files or DataFrames, ``load(archive)``
reads a trained model back; both return a ``Trained`` with ``evaluate``, ``predict`` and ``explain``."""
from dm2s2_allennlp import (cache, commands, dataset_readers, encoders, heads, metrics, models, modules,  # noqa: F401
                            predictors, samplers, training)
from dm2s2_allennlp.api import Trained, fit, load  # noqa: F401

__version__ = "0.8.0"
