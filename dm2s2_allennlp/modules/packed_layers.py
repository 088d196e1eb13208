"""BERT-style transformer layers run on the real positions of a padded batch only ("unpadding").

A layer's cost is its linear maps -- the query, key and value projections, the attention output, the feed-forward
pair -- and those act on each position alone, so on a padded ``(batch, N, d)`` batch every padding position costs as
much as a real one (a batch is padded to its longest sequence: 2-3 times the real tokens on long-text data). Here the
real positions are packed into ``(T, d)`` once, every linear map and layer norm runs on those ``T`` rows, and only the
attention itself -- which mixes positions -- sees the padded ``(batch, heads, N, head size)`` layout, with the same
additive mask. Each real position's output is the layer's own (the same modules and weights, the same dropout; padded
positions are masked out of the attention in both), so training on it is training the layer; padding positions come
back as zeros.

Plain torch: works for the Hugging Face BERT layer family (BERT, RoBERTa, MiniLM: ``attention.self.{query,key,
value}``, ``attention.output``, ``intermediate``, ``output``) with absolute position embeddings; ``packable`` says
whether a layer is one.
"""
from typing import Sequence

import torch
import torch.nn.functional as F


def packable(layer: torch.nn.Module) -> bool:
    """Whether ``layer`` is a BERT-family encoder layer this module can run."""
    attention = getattr(layer, "attention", None)
    inner = getattr(attention, "self", None)
    parts = ("query", "key", "value", "num_attention_heads", "attention_head_size")
    return (inner is not None and all(hasattr(inner, name) for name in parts) and hasattr(attention, "output")
            and hasattr(layer, "intermediate") and hasattr(layer, "output") and not getattr(inner, "is_decoder", False)
            and getattr(inner, "position_embedding_type", "absolute") == "absolute")


def attention_dropout(inner: torch.nn.Module) -> float:
    """The attention probabilities' dropout of a self-attention module (its fused or its eager form's)."""
    if not inner.training:
        return 0.0
    return float(getattr(inner, "dropout_prob", getattr(getattr(inner, "dropout", None), "p", 0.0)))


def packed_layer(layer: torch.nn.Module, packed: torch.Tensor, real: torch.Tensor, batch: int, width: int,
                 mask: torch.Tensor) -> torch.Tensor:
    """One layer on ``packed`` ``(T, d)``: the real positions, at flat indices ``real`` of a ``(batch, width)``
    layout whose additive attention mask is ``mask`` ``(batch, 1, 1, width)``."""
    inner = layer.attention.self
    heads, size = inner.num_attention_heads, inner.attention_head_size

    def spread(rows: torch.Tensor) -> torch.Tensor:  # (T, heads * size) -> (batch, heads, width, size)
        full = rows.new_zeros(batch * width, rows.size(-1)).index_copy(0, real, rows)
        return full.view(batch, width, heads, size).transpose(1, 2)

    query, key, value = (spread(linear(packed)) for linear in (inner.query, inner.key, inner.value))
    context = F.scaled_dot_product_attention(query, key, value, attn_mask=mask.to(query.dtype),
                                             dropout_p=attention_dropout(inner))
    context = context.transpose(1, 2).reshape(batch * width, heads * size).index_select(0, real)
    attended = layer.attention.output(context, packed)
    return layer.output(layer.intermediate(attended), attended)


def run_packed(layers: Sequence[torch.nn.Module], hidden: torch.Tensor, real: torch.Tensor,
               mask: torch.Tensor) -> torch.Tensor:
    """``layers`` on the real positions (flat indices ``real`` into ``batch * N``) of ``hidden`` ``(batch, N, d)``;
    ``mask`` is the layers' additive attention mask ``(batch, 1, 1, N)``. Padding positions of the result are 0."""
    batch, width, dim = hidden.shape
    packed = hidden.reshape(batch * width, dim).index_select(0, real)
    for layer in layers:
        packed = packed_layer(layer, packed, real, batch, width, mask)
    return packed.new_zeros(batch * width, dim).index_copy(0, real, packed).view(batch, width, dim)
