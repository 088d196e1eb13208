"""``mlp``: the prediction MLP of a model (DM2S2's rho, Eq. 6; DMMS's rho; the merger's and MMAE's classifier) as one
config object: ``{hidden_dims: [256], activation: "relu", dropout: 0.1}``. Its output size is the task head's.

Built from AllenNLP's ``FeedForward`` (the hidden layers: Linear -> activation -> dropout each) and a plain output
``Linear`` (no activation, no dropout), which the head initialises (``TaskHead.initialize_output_layer``)."""
from typing import Sequence

from allennlp.modules import FeedForward
from allennlp.nn import Activation
from allennlp.common import FromParams
from torch import nn

from dm2s2_allennlp.checks import in_range


class PredictionMlp(FromParams):
    """``input_dim -> hidden_dims... -> the head's outputs``; ``activation`` (any of AllenNLP's, e.g. ``relu``,
    ``gelu``, ``tanh``, ``elu``) and ``dropout`` after every hidden layer."""

    def __init__(self, hidden_dims: Sequence[int] = (256,), activation: str = "relu", dropout: float = 0.1) -> None:
        if activation not in Activation.list_available():
            raise ValueError(f"activation must be one of {sorted(Activation.list_available())}, got {activation!r}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"mlp dropout must be in [0, 1), got {dropout}")
        for k, width in enumerate(hidden_dims):
            in_range(f"mlp.hidden_dims[{k}]", width, 1)
        self.hidden_dims, self.activation, self.dropout = list(hidden_dims), activation, dropout

    def build(self, input_dim: int, output_dim: int) -> nn.Sequential:
        """The MLP; its last module (``[-1]``) is the output layer."""
        layers = []
        if self.hidden_dims:
            layers.append(FeedForward(input_dim, len(self.hidden_dims), self.hidden_dims,
                                      Activation.by_name(self.activation)(), self.dropout))
        layers.append(nn.Linear(self.hidden_dims[-1] if self.hidden_dims else input_dim, output_dim))
        return nn.Sequential(*layers)
