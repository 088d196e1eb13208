"""The data layer: the generic reader (tables and JSONL) and the paper's readers. Each states the data facts (modalities in order,
task, tokenizer, length limits) and emits AllenNLP's own fields (``modalities``, ``numbers``, ``label``,
``metadata``); what a label is per task is ``label_fields``. Nothing here imports the model layer (heads, models,
encoders): a test walks the imports."""
from dm2s2_allennlp.dataset_readers.multimodal_reader import DataError, MultimodalReader, render_value
from dm2s2_allennlp.dataset_readers.multimodal_table import MultimodalJsonlReader, MultimodalTableReader
from dm2s2_allennlp.dataset_readers.mmimdb import MMIMDB_GENRES, MmImdbReader
from dm2s2_allennlp.dataset_readers.ads_parallelity import AdsParallelityReader
from dm2s2_allennlp.dataset_readers.ad_lp import AdLpReader
