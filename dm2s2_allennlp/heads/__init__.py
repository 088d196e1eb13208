"""Task heads (registered ``TaskHead`` parts): loss, class weights / target scaling, decisions, metrics, output."""
from dm2s2_allennlp.heads.task_head import TaskHead
from dm2s2_allennlp.heads.multilabel import MultilabelHead
from dm2s2_allennlp.heads.classification import ClassificationHead
from dm2s2_allennlp.heads.regression import RegressionHead
from dm2s2_allennlp.heads.per_task import PerTaskHead
