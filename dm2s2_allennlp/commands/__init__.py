"""Registered ``allennlp`` subcommands of this plugin."""
from dm2s2_allennlp.commands.group_split import GroupSplit
