"""BERT-style transformer layers run on the real positions of a padded batch only ("unpadding").

A layer's cost is its linear maps -- the query, key and value projections, the attention output, the feed-forward
pair -- and those act on each position alone, so on a padded ``(batch, N, d)`` batch every padding position costs as
much as a real one (a batch is padded to its longest sequence: 2-3 times the real tokens on long-text data). Here the
real positions are packed into ``(T, d)`` once, every linear map and layer norm runs on those ``T`` rows, and only the
attention itself -- which mixes positions -- sees the padded ``(batch, heads, N, head size)`` layout, with the same
additive mask (on the CPU in float32 also under bfloat16 autocast: torch's fused CPU attention is fastest there, and
its bfloat16 backward is several times slower, ``benchmarks/top_layers_step.py``). Each real position's output is
the layer's own (the same modules and weights, the same dropout; padded positions are masked out of the attention in
both), so training on it is training the layer; padding positions come back as zeros.

The number of packed rows is rounded up to a multiple of ``ROWS_MULTIPLE`` with padding positions (their outputs are
dropped): torch's bfloat16 matrix products on the CPU (oneDNN) build a kernel for every new row count, and a row count
that changes with every batch made each step build new ones -- 3 times slower, and the process grew by about 300 MB
an epoch (``benchmarks/README.md``, issue 28).

Plain torch: works for the Hugging Face BERT layer family (BERT, RoBERTa, MiniLM: ``attention.self.{query,key,
value}``, ``attention.output``, ``intermediate``, ``output``) with absolute position embeddings; ``packable`` says
whether a layer is one.
"""
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F

ROWS_MULTIPLE = 64


def packing_index(attention_mask: torch.Tensor, multiple: int = ROWS_MULTIPLE) -> Tuple[torch.Tensor, int]:
    """Flat indices into ``(batch * N)`` of the rows to run: the real positions of ``attention_mask`` ``(batch, N)``
    (a host tensor: this reads it), then padding positions up to a multiple of ``multiple`` rows (at most all of
    them); and how many are real."""
    flat = attention_mask.reshape(-1).bool()
    real = flat.nonzero().squeeze(1)
    count = real.numel()
    extra = min(-(-count // multiple) * multiple, flat.numel()) - count
    if extra:
        real = torch.cat([real, (~flat).nonzero().squeeze(1)[:extra]])
    return real, count


def packable(layer: torch.nn.Module) -> bool:
    """Whether ``layer`` is a BERT-family encoder layer this module can run."""
    attention = getattr(layer, "attention", None)
    inner = getattr(attention, "self", None)
    parts = ("query", "key", "value", "num_attention_heads", "attention_head_size")
    return (inner is not None and all(hasattr(inner, name) for name in parts) and hasattr(attention, "output")
            and hasattr(layer, "intermediate") and hasattr(layer, "output") and not getattr(inner, "is_decoder", False)
            and getattr(inner, "position_embedding_type", "absolute") == "absolute")


def attention_dropout(inner: torch.nn.Module) -> float:
    """The attention probabilities' dropout of a self-attention module in training (its fused form reads
    ``dropout_prob``, its eager form its ``dropout`` module); 0 in evaluation."""
    if not inner.training:
        return 0.0
    return float(getattr(inner, "dropout_prob", getattr(getattr(inner, "dropout", None), "p", 0.0)))


def set_attention_dropout(inner: torch.nn.Module, probability: float) -> None:
    """Set a self-attention module's attention-probability dropout, in both forms ``attention_dropout`` reads."""
    if hasattr(inner, "dropout_prob"):
        inner.dropout_prob = probability
    if isinstance(getattr(inner, "dropout", None), torch.nn.Dropout):
        inner.dropout.p = probability


def packed_layer(layer: torch.nn.Module, packed: torch.Tensor, rows: torch.Tensor, batch: int, width: int,
                 mask: torch.Tensor) -> torch.Tensor:
    """One layer on ``packed`` ``(T, d)``: the positions at flat indices ``rows`` of a ``(batch, width)`` layout whose
    additive attention mask is ``mask`` ``(batch, 1, 1, width)``."""
    inner = layer.attention.self
    heads, size = inner.num_attention_heads, inner.attention_head_size

    def spread(states: torch.Tensor) -> torch.Tensor:  # (T, heads * size) -> (batch, heads, width, size)
        full = states.new_zeros(batch * width, states.size(-1)).index_copy(0, rows, states)
        return full.view(batch, width, heads, size).transpose(1, 2)

    query, key, value = (spread(linear(packed)) for linear in (inner.query, inner.key, inner.value))
    if packed.device.type == "cpu":  # float32 attention: the fused CPU kernel's bfloat16 backward is slow
        with torch.autocast("cpu", enabled=False):
            context = F.scaled_dot_product_attention(query.float(), key.float(), value.float(),
                                                     attn_mask=mask.float(), dropout_p=attention_dropout(inner))
    else:
        context = F.scaled_dot_product_attention(query, key, value, attn_mask=mask.to(query.dtype),
                                                 dropout_p=attention_dropout(inner))
    context = context.transpose(1, 2).reshape(batch * width, heads * size).index_select(0, rows)
    attended = layer.attention.output(context, packed)
    return layer.output(layer.intermediate(attended), attended)


def run_packed(layers: Sequence[torch.nn.Module], hidden: torch.Tensor, rows: torch.Tensor, count: int,
               mask: torch.Tensor) -> torch.Tensor:
    """``layers`` on the rows ``rows`` (``packing_index``: flat indices into ``batch * N``, the first ``count`` of
    them the real positions) of ``hidden`` ``(batch, N, d)``; ``mask`` is the layers' additive attention mask
    ``(batch, 1, 1, N)``. Only the real positions' results are kept: padding positions of the result are 0."""
    batch, width, dim = hidden.shape
    packed = hidden.reshape(batch * width, dim).index_select(0, rows)
    for layer in layers:
        packed = packed_layer(layer, packed, rows, batch, width, mask)
    result = packed.new_zeros(batch * width, dim).index_copy(0, rows[:count], packed[:count])
    return result.view(batch, width, dim)
