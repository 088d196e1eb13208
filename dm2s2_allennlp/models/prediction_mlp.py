"""``mlp``: the prediction MLP of a model (DM2S2's rho, Eq. 6; DMMS's rho; the merger's and MMAE's classifier) as one
config object: ``{hidden_dims: [256], activation: "relu", dropout: 0.1}``. Its output size is the task head's."""
from typing import Sequence

from allennlp.common import FromParams

from dm2s2_allennlp.modules.mlp import ACTIVATIONS, MLP


class PredictionMlp(FromParams):
    """``input_dim -> hidden_dims... -> the head's outputs``; ``activation`` and ``dropout`` after every hidden
    layer (``modules.mlp.MLP``)."""

    def __init__(self, hidden_dims: Sequence[int] = (256,), activation: str = "relu", dropout: float = 0.1) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.hidden_dims, self.activation, self.dropout = list(hidden_dims), activation, dropout

    def build(self, input_dim: int, output_dim: int) -> MLP:
        return MLP(input_dim, self.hidden_dims, output_dim, self.activation, self.dropout)
