"""dm2s2_allennlp: DM2S2 (Deep Multi-Modal Sequence Sets with Hierarchical Modality Attention, IEEE Access 2022) and
its baselines as an AllenNLP plugin. Importing the package registers every component and fills in the documented
defaults of the DM2S2_* config variables (see ``defaults.py``)."""
from dm2s2_allennlp.defaults import install_default_variables

install_default_variables()

from dm2s2_allennlp import commands, dataset_readers, metrics, models, modules, predictors, training  # noqa: E402,F401

__version__ = "0.1.0"
