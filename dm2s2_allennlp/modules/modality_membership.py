"""Which positions of a unified sequence belong to which modality."""
import torch


def modality_membership(modality_ids: torch.Tensor, num_modalities: int) -> torch.Tensor:
    """``(batch, N)`` modality ids (-1 = not a modality token) -> ``(batch, M, N)`` boolean membership."""
    modalities = torch.arange(num_modalities, device=modality_ids.device).view(1, -1, 1)
    return modality_ids.unsqueeze(1) == modalities
