"""rho: the prediction MLP of DM2S2 (Eq. 6, y_hat = rho(h))."""
from typing import Sequence

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "gelu": nn.GELU, "tanh": nn.Tanh, "elu": nn.ELU}


class MLP(nn.Module):
    """``input_dim -> hidden_dims... -> output_dim``; activation and dropout after every hidden layer."""

    def __init__(self, input_dim: int, hidden_dims: Sequence[int], output_dim: int, activation: str = "relu",
                 dropout: float = 0.0) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        layers = []
        last = input_dim
        for width in hidden_dims:
            layers += [nn.Linear(last, width), ACTIVATIONS[activation](), nn.Dropout(dropout)]
            last = width
        layers.append(nn.Linear(last, output_dim))
        self.layers = nn.Sequential(*layers)
        self.output_dim = output_dim

    @property
    def output_layer(self) -> nn.Linear:
        return self.layers[-1]

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.layers(inputs)
