"""``cached`` multimodal encoder: a ``pretrained_transformer`` whose FROZEN part's states are computed once per distinct
input and then read from the encoder-state cache (``cache.state_cache``) -- in later epochs, in evaluation and by
later runs. Config::

    encoder: {type: "cached", transformer: {model_name: "...", max_length: 128, trainable_top_layers: 2},
              cache: {directory: ..., dtype: "float16", memory_gb: ..., on_disk: true}}

What is cached: with a fully frozen transformer, the states of the modality tokens (the only ones the models read;
the specials and padding are zeros); with ``trainable_top_layers: k``, the frozen bottom's output at every position
(the states entering layer L - k), on which the top k layers then run each step. Freshly computed states pass
through the cache's dtype too, so a cached epoch sees exactly the numbers an uncached one did. The namespace is the
frozen part's fingerprint (``fingerprint``, hashed at the first encode, once an archive's weights are loaded) and
its variant (precision, layer). Encodings with added embeddings (``encoder_only``'s trainable modality embeddings)
depend on trainable weights and are never cached. A fully fine-tuned transformer (``train_parameters: true``) has no
frozen part: wrapping it is a configuration error.
"""
from typing import List

import torch
from allennlp.common.checks import ConfigurationError

from dm2s2_allennlp.cache import CacheSettings, EncoderStateCache
from dm2s2_allennlp.encoders.multimodal_encoder import MultimodalEncoder
from dm2s2_allennlp.encoders.pretrained_transformer import PretrainedTransformerMultimodalEncoder
from dm2s2_allennlp.modules.unified_sequence import UnifiedSequence


@MultimodalEncoder.register("cached")
class CachedEncoder(MultimodalEncoder):
    def __init__(self, transformer: MultimodalEncoder, cache: CacheSettings = CacheSettings()) -> None:
        super().__init__()
        if not isinstance(transformer, PretrainedTransformerMultimodalEncoder):
            raise ConfigurationError(f"the `cached` encoder wraps a `pretrained_transformer`, got {type(transformer)}")
        if transformer.train_parameters:
            raise ConfigurationError("a fully fine-tuned transformer (`train_parameters: true`) has no frozen states to "
                                     "cache: use it without the `cached` encoder, or `trainable_top_layers: k`")
        self.transformer = transformer
        self.cls_id, self.sep_id, self.pad_id = transformer.cls_id, transformer.sep_id, transformer.pad_id
        self.max_length = transformer.max_length
        self.cache: EncoderStateCache = cache.build()
        # hashed at the first encode: an archive's weights are loaded after construction
        self.register_load_state_dict_post_hook(lambda module, keys: setattr(module.cache, "fingerprint", None))

    def get_output_dim(self) -> int:
        return self.transformer.get_output_dim()

    def flush(self) -> None:
        self.cache.flush()

    def encode(self, unified: UnifiedSequence, added_embeddings: torch.Tensor = None,
               all_positions: bool = False) -> torch.Tensor:
        transformer = self.transformer
        if added_embeddings is not None:
            return transformer.encode(unified, added_embeddings)
        if transformer.top_layers:
            return transformer.encode_top(unified, lambda u: self.sequence_states(u, transformer.run_bottom))
        if all_positions:
            return self.sequence_states(unified, transformer.run, "all positions")
        return self.cached_modality_states(unified)

    def sequence_states(self, unified: UnifiedSequence, compute, tag: str = "") -> torch.Tensor:
        """``(batch, N, d)`` states of every position of the sequence as ``compute(ids, mask)`` gives them (the frozen
        bottom, or the whole frozen encoder), from the cache where it has them (``tag`` keeps the kinds apart)."""
        host = unified.on_host()
        lengths = host.attention_mask.sum(1).tolist()
        states = self.lookup(unified, lengths, lambda ids, mask, rows: [
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
            fresh = self.transformer.run(input_ids, attention_mask)
            flat = tokens.reshape(-1).nonzero().squeeze(1).to(unified.device, non_blocking=True)
            packed = fresh.reshape(-1, dim).index_select(0, flat)
            return list(packed.split([counts[b] for b in rows]))

        states = self.lookup(unified, lengths, compute)
        hidden = torch.zeros(*unified.input_ids.shape, dim, device=unified.device)
        if sum(counts):
            hidden.view(-1, dim).index_copy_(0, unified.token_index(), torch.cat(states).float())
        return hidden

    def lookup(self, unified: UnifiedSequence, lengths: List[int], compute, tag: str = "") -> List[torch.Tensor]:
        """Per sample, its cached states, computing (``compute(ids, mask, rows)``) and storing the missing ones.
        Index lists are made on the host and copied over: nothing here waits for the GPU."""
        if self.cache.fingerprint is None:
            self.cache.fingerprint = self.transformer.fingerprint()
        host = unified.on_host()
        variant = self.transformer.variant(unified.device) + (f"|{tag}" if tag else "")
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
