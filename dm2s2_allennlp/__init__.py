"""dm2s2_allennlp: DM2S2 (Deep Multi-Modal Sequence Sets with Hierarchical Modality Attention, IEEE Access 2022) and
its baselines as an AllenNLP plugin. Importing the package registers its components and does nothing else."""
from dm2s2_allennlp import (cache, commands, dataset_readers, encoders, heads, metrics, models, modules,  # noqa: F401
                            predictors, samplers, training)

__version__ = "0.5.0"
