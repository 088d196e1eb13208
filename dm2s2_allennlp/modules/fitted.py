"""``Fitted``: a module with statistics fitted once from the training data (class weights, target scaling, numeric
feature scaling). Whether they were fitted is a buffer, so an archive restores it, and is mirrored on the host
(``fitted``), so that checking it never waits for the GPU."""
import torch
from torch import nn


class Fitted(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("statistics_fitted", torch.zeros((), dtype=torch.bool))
        self.fitted = False
        self.register_load_state_dict_post_hook(lambda module, keys: module._read_fitted())

    def _read_fitted(self) -> None:
        self.fitted = bool(self.statistics_fitted)

    def mark_fitted(self) -> None:
        self.statistics_fitted.fill_(True)
        self.fitted = True
