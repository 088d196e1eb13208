"""Registered ``allennlp`` subcommands of this plugin."""
from dm2s2_allennlp.commands.cross_validate import CrossValidate
from dm2s2_allennlp.commands.erase_modalities import EraseModalities
from dm2s2_allennlp.commands.explain import Explain
from dm2s2_allennlp.commands.group_split import GroupSplit
from dm2s2_allennlp.commands.results_table import ResultsTable
from dm2s2_allennlp.commands.train_lightgbm import TrainLightGBM
from dm2s2_allennlp.commands.extract_visual_features import ExtractVisualFeatures
