"""What every multimodal-as-tokens model of this package shares: the field layout, the frozen encoder over the
unified sequence, the task heads, the losses and the metrics. ``dm2s2`` and the baselines subclass it.

Tasks, losses and metrics:
  * ``multilabel``: sigmoid outputs, class-weighted binary cross-entropy (DM2S2 Eq. 16)
        L = -1/N sum_j sum_k w_k [Y_jk log Yhat_jk + (1 - Y_jk) log(1 - Yhat_jk)],
    w_k = 1/N_k from the training label counts (``class_weighting: inverse``; ``inverse_sqrt`` uses 1/sqrt(N_k),
    ``none`` w_k = 1). Eq. 16 as printed shows only the positive term; the "sigmoid cross-entropy" it names has both,
    and we use both (the positive-only form is minimised by predicting every class). The weights are rescaled to
    mean 1 over the classes, which keeps Eq. 16's ratios and keeps the loss on the scale of an unweighted one.
    Metrics: F1 micro / macro / samples at ``threshold`` (0.5), and ``recall_at_p95`` (R@P95 over all
    (record, genre) pairs, paper 003 Section 6.2).
  * ``classification``: softmax cross-entropy with the same optional class weights; accuracy, macro-F1, and ROC-AUC
    and ``recall_at_p95`` when there are exactly two classes (``positive_label``, default the label with vocabulary
    index 1).
    When the records' metadata carry a ``fine_class`` (``ads_parallelity``), accuracy per fine class is reported
    too (``accuracy_<class>``, Table 2's per-class columns).
  * ``regression``: one output, RMSE loss (Eq. 17); metrics RMSE, MAE, MAPE, and with ``auc_threshold`` set the
    ROC-AUC of the predicted value for separating records whose target is above the threshold from the rest (for a
    conversion rate and ``auc_threshold: 0``: converted vs non-converted records, Table 4's AUC).

The metrics live in ``metrics.TaskMetrics``, shared with the LightGBM baseline.

Label counts N_k come from the vocabulary's retained counts, i.e. from the datasets the vocabulary was built from:
the shipped configs set ``datasets_for_vocab_creation: ["train"]`` so that they are the training counts. A vocabulary
read from files has no counts (AllenNLP's distributed training reads it from files in every worker): pass
``label_counts: {label: N_k}`` then. The
weights are a buffer of the model, so an archive restores the ones it was trained with.

Encoder: an AllenNLP ``PretrainedTransformerEmbedder``. Frozen by default, and then also held in eval mode (no
dropout) and run without building a graph, as in the paper; ``train_parameters: true`` fine-tunes it.

Frozen-encoder cache (``modules.encoder_cache``): with a frozen encoder, the hidden states of each distinct unified
sequence are computed once and reused in later epochs, in evaluation and by later runs (``cache_encoder_states``,
default true; ``cache_directory`` (default ``$DM2S2_CACHE_DIR`` or ``~/.cache/dm2s2_allennlp/encoder_states``),
``cache_dtype`` (``float16``), ``cache_memory_gb`` (in-process tier on the model's device; default 2 on the CPU,
40% of the free memory on a GPU), ``cache_on_disk`` (true); disk writes run in the background and are flushed at the
end of every epoch, i.e. by ``get_metrics(reset=True)``). Freshly computed
states pass through the cache's dtype too, so a cached epoch sees exactly the numbers an uncached one did. A
fine-tuned encoder (``train_parameters: true``) never uses the cache. ``encoder_autocast`` (``bfloat16`` or
``float16``) runs the encoder in that precision on CUDA (ignored on the CPU): a frozen encoder is converted to it
once (so an archive then holds its weights in that precision), a fine-tuned one runs under autocast.
"""
import logging
from typing import Any, Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from allennlp.common import cached_transformers
from allennlp.common.checks import ConfigurationError
from allennlp.data import TextFieldTensors, Vocabulary
from allennlp.models import Model
from allennlp.modules.token_embedders import PretrainedTransformerEmbedder
from allennlp.nn import InitializerApplicator

from dm2s2_allennlp.defaults import default_encoder
from dm2s2_allennlp.metrics import TaskMetrics
from dm2s2_allennlp.modules.pooling import pool_tokens
from dm2s2_allennlp.modules.encoder_cache import EncoderStateCache, encoder_fingerprint
from dm2s2_allennlp.modules.truncation import fair_lengths_tensor
from dm2s2_allennlp.modules.unified_sequence import UnifiedSequence, build_unified_sequence

logger = logging.getLogger(__name__)

TASKS = ("multilabel", "classification", "regression")
CLASS_WEIGHTINGS = ("inverse", "inverse_sqrt", "none")


class MultimodalModel(Model):
    def __init__(
        self,
        vocab: Vocabulary,
        modalities: List[str],
        task: str = "multilabel",
        transformer_model_name: Optional[str] = None,
        train_parameters: bool = False,
        max_length: int = 512,
        load_weights: bool = True,
        class_weighting: str = "inverse",
        positive_label: Optional[str] = None,
        threshold: float = 0.5,
        auc_threshold: Optional[float] = None,
        label_namespace: str = "labels",
        initializer: Optional[InitializerApplicator] = None,
        cache_encoder_states: bool = True,
        cache_directory: Optional[str] = None,
        cache_dtype: str = "float16",
        cache_memory_gb: Optional[float] = None,
        cache_on_disk: bool = True,
        encoder_autocast: Optional[str] = None,
        label_counts: Optional[Dict[str, int]] = None,
        **kwargs,
    ) -> None:
        super().__init__(vocab, **kwargs)
        if task not in TASKS:
            raise ConfigurationError(f"`task` must be one of {TASKS}, got {task!r}")
        if class_weighting not in CLASS_WEIGHTINGS:
            raise ConfigurationError(f"`class_weighting` must be one of {CLASS_WEIGHTINGS}, got {class_weighting!r}")
        if not modalities:
            raise ConfigurationError("`modalities` must list the reader's modality names, in the reader's order")
        self.modalities = list(modalities)
        self.task = task
        self.threshold = threshold
        self.label_namespace = label_namespace
        self.train_parameters = train_parameters

        model_name = transformer_model_name or default_encoder()
        self.transformer_model_name = model_name
        self.encoder = PretrainedTransformerEmbedder(
            model_name, train_parameters=train_parameters, eval_mode=not train_parameters, load_weights=load_weights
        )
        tokenizer = cached_transformers.get_tokenizer(model_name)
        if tokenizer.cls_token_id is None or tokenizer.sep_token_id is None:
            raise ConfigurationError(f"encoder {model_name!r} has no CLS/SEP tokens; DM2S2 needs a BERT-style encoder")
        self.cls_id, self.sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        limits = [max_length, getattr(tokenizer, "model_max_length", max_length)]
        self.max_length = int(min(x for x in limits if x and x < 10**6))
        self.budget = self.max_length - (len(self.modalities) + 1)
        if self.budget < 0:
            raise ConfigurationError(f"max_length={self.max_length} cannot hold the specials of "
                                     f"{len(self.modalities)} modalities")
        self.hidden_dim = self.encoder.get_output_dim()
        if encoder_autocast not in (None, "bfloat16", "float16"):
            raise ConfigurationError(f"`encoder_autocast` must be bfloat16, float16 or null, got {encoder_autocast!r}")
        self.encoder_autocast = encoder_autocast
        self.cache: Optional[EncoderStateCache] = None
        if cache_encoder_states and not train_parameters:
            # the fingerprint is taken at the first encode: an archive's weights are loaded after construction
            self.cache = EncoderStateCache(None, cache_directory, cache_dtype, cache_memory_gb, cache_on_disk)

        if task == "regression":
            self.num_outputs = 1
            self.label_names: List[str] = []
        else:
            self.num_outputs = vocab.get_vocab_size(label_namespace)
            self.label_names = [vocab.get_token_from_index(i, label_namespace) for i in range(self.num_outputs)]
            if self.num_outputs == 0:
                raise ConfigurationError(f"the vocabulary has no labels in namespace {label_namespace!r}")
        self._class_weights_unknown = False
        self.register_buffer("class_weights", self._class_weights(vocab, class_weighting, label_counts))
        self.register_load_state_dict_post_hook(lambda module, keys: setattr(module, "_class_weights_unknown", False))

        self.metrics = TaskMetrics.for_vocabulary(task, vocab, label_namespace, threshold, positive_label,
                                                  auc_threshold)
        self._initializer = initializer

    def initialize(self) -> None:
        """Apply the config's ``initializer`` (if any); a subclass calls it once its own modules exist."""
        if self._initializer is not None:
            self._initializer(self)

    # -- class weights (Eq. 16) ------------------------------------------------------------------------------------
    def _class_weights(self, vocab: Vocabulary, class_weighting: str,
                       label_counts: Optional[Dict[str, int]] = None) -> torch.Tensor:
        ones = torch.ones(max(self.num_outputs, 1))
        if self.task == "regression" or class_weighting == "none":
            return ones
        counter = getattr(vocab, "_retained_counter", None) or {}
        counts = label_counts or counter.get(self.label_namespace)
        if not counts:
            # An archive being loaded gets its trained weights back with the state dict; training from a vocabulary
            # read from files (AllenNLP's distributed training does that) has no counts: the first training batch
            # says so (see `_warn_if_weights_unknown`).
            self._class_weights_unknown = True
            return ones
        n = torch.tensor([float(counts.get(name, 0)) for name in self.label_names]).clamp_min(1.0)
        raw = 1.0 / n if class_weighting == "inverse" else 1.0 / n.sqrt()
        weights = raw * (len(raw) / raw.sum())
        logger.info("class weights (%s) from label counts %s: %s", class_weighting,
                    dict(zip(self.label_names, n.tolist())), weights.tolist())
        return weights

    # -- encoder over the unified sequence (Eq. 2) -----------------------------------------------------------------
    def modality_token_ids(self, modalities: TextFieldTensors) -> Tuple[torch.Tensor, torch.Tensor]:
        """The ``(batch, M, T)`` token ids and mask of the reader's ``modalities`` field, checked against ``M``."""
        tokens = modalities["tokens"]
        token_ids, mask = tokens["token_ids"], tokens["mask"].bool()
        if token_ids.dim() != 3 or token_ids.size(1) != len(self.modalities):
            raise ConfigurationError(
                f"expected {len(self.modalities)} modalities {self.modalities} per instance, got token ids of shape "
                f"{tuple(token_ids.shape)}; the model's `modalities` must match the reader's"
            )
        return token_ids, mask

    def unify(self, modalities: TextFieldTensors) -> UnifiedSequence:
        """Eq. 2's layout, planned on the CPU from one host copy of the ids (see ``UnifiedSequence``) and moved to
        the batch's device."""
        token_ids, mask = self.modality_token_ids(modalities)
        host_ids, host_mask = token_ids.cpu(), mask.cpu()
        lengths = fair_lengths_tensor(host_mask.sum(-1), self.budget)
        host = build_unified_sequence(host_ids, lengths, self.cls_id, self.sep_id, self.pad_id)
        return host.to(token_ids.device)

    def _autocast_dtype(self, device: torch.device) -> Optional[torch.dtype]:
        if self.encoder_autocast is None or device.type != "cuda":
            return None
        return torch.bfloat16 if self.encoder_autocast == "bfloat16" else torch.float16

    def run_encoder(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    added_embeddings: Optional[torch.Tensor] = None) -> torch.Tensor:
        """The encoder's last hidden states. ``added_embeddings`` ``(batch, N, d)``, if given, are added to the word
        embeddings at the input (``encoder_only``'s trainable modality embeddings); gradients then flow through the
        frozen encoder to them, while the encoder's own weights stay frozen."""
        dtype = self._autocast_dtype(input_ids.device)
        model = self.encoder.transformer_model
        if dtype is not None and not self.train_parameters and model.dtype != dtype:
            # a frozen encoder is simply stored in the low precision: autocast would re-cast every weight
            # on every batch (for roberta-large that costs more than the forward pass itself)
            model.to(dtype)

        def forward() -> torch.Tensor:
            if added_embeddings is None:
                return self.encoder(input_ids, attention_mask)
            embeddings = model.get_input_embeddings()(input_ids) + added_embeddings.to(model.dtype)
            return model(inputs_embeds=embeddings, attention_mask=attention_mask.long()).last_hidden_state

        needs_grad = self.train_parameters or added_embeddings is not None
        with torch.set_grad_enabled(needs_grad and torch.is_grad_enabled()):
            if dtype is not None and self.train_parameters:
                with torch.autocast("cuda", dtype=dtype):
                    return forward().float()
            return forward().float()

    def encode(self, unified: UnifiedSequence) -> torch.Tensor:
        """Hidden states ``(batch, N, d)`` of the unified sequence. With the cache, only the modality tokens' states
        are filled in (the only ones the models read); the specials and padding are zeros."""
        if self.cache is None:
            return self.run_encoder(unified.input_ids, unified.attention_mask)
        if self.cache.fingerprint is None:
            self.cache.fingerprint = encoder_fingerprint(self.encoder.transformer_model,
                                                         extra=self.transformer_model_name)
        device = unified.device
        host = unified.on_host()
        counts = unified.tokens_per_sample()
        lengths = host.attention_mask.sum(1).tolist()
        variant = str(self._autocast_dtype(device) or torch.is_autocast_enabled())
        keys = [self.cache.key(host.input_ids[b, :n], variant) for b, n in enumerate(lengths)]
        states = self.cache.get_many(keys, device)
        missing = [b for b, state in enumerate(states) if state is None]
        if missing:
            # index lists are made on the host and copied over: nothing here waits for the GPU
            width = max(lengths[b] for b in missing)
            input_ids, attention_mask = unified.input_ids[:, :width], unified.attention_mask[:, :width]
            tokens = host.modality_ids[:, :width] >= 0
            if len(missing) < len(keys):
                rows = torch.tensor(missing)
                tokens = tokens[rows]
                rows = rows.to(device, non_blocking=True)
                input_ids, attention_mask = input_ids[rows], attention_mask[rows]
            fresh = self.run_encoder(input_ids, attention_mask)
            flat = tokens.reshape(-1).nonzero().squeeze(1).to(device, non_blocking=True)
            packed = fresh.reshape(-1, self.hidden_dim).index_select(0, flat).to(self.cache.dtype)
            computed = packed.split([counts[b] for b in missing])
            self.cache.put_many([keys[b] for b in missing], computed)
            for b, state in zip(missing, computed):
                states[b] = state
        hidden = torch.zeros(*unified.input_ids.shape, self.hidden_dim, device=device)
        if sum(counts):
            hidden.view(-1, self.hidden_dim).index_copy_(0, unified.token_index(), torch.cat(states).float())
        return hidden

    # -- every modality on its own (the mid-fusion baselines) ------------------------------------------------------
    def encode_each_modality(self, modalities: TextFieldTensors) -> Tuple[torch.Tensor, torch.Tensor]:
        """Token states of every modality encoded ON ITS OWN, as ``[CLS] x(m) [SEP]`` (the mid-fusion baselines
        encode their modalities separately; DM2S2 encodes them jointly). Returns ``(batch, M, T, d)`` states (zeros
        at padding) and the ``(batch, M, T)`` token mask. A modality keeps at most ``max_length - 2`` tokens; missing
        modalities are not run through the encoder. The frozen-encoder cache applies as for unified sequences
        (each modality's own sequence is its key)."""
        token_ids, mask = self.modality_token_ids(modalities)
        device = token_ids.device
        batch_size, num_modalities, _ = token_ids.shape
        host_ids = token_ids.cpu()  # planned on the host, as in `unify`
        lengths = mask.cpu().sum(-1).clamp_max(self.max_length - 2).reshape(-1)
        width = int(lengths.max()) if lengths.numel() else 0
        states = torch.zeros(batch_size * num_modalities, width, self.hidden_dim, device=device)
        present = (lengths > 0).nonzero().squeeze(1)
        if present.numel():
            flat = host_ids.reshape(batch_size * num_modalities, 1, -1)[present]
            sequences = build_unified_sequence(flat, lengths[present].view(-1, 1), self.cls_id, self.sep_id,
                                               self.pad_id).to(device)
            hidden = self.encode(sequences)  # (present, 1 + len + 1, d)
            kept = sequences.modality_ids[:, 1:1 + width] >= 0
            rows = present.to(device, non_blocking=True)
            states[rows, : kept.size(1)] = hidden[:, 1:1 + width] * kept.unsqueeze(-1)
        token_mask = torch.arange(width).view(1, -1) < lengths.view(-1, 1)
        return (states.view(batch_size, num_modalities, width, self.hidden_dim),
                token_mask.to(device, non_blocking=True).view(batch_size, num_modalities, width))

    def modality_vectors(self, modalities: TextFieldTensors,
                         pooling: str = "mean") -> Tuple[torch.Tensor, torch.Tensor]:
        """One vector per modality, ``(batch, M, d)``, pooled (``mean`` | ``sum`` | ``max``) over the modality's own
        token states (``encode_each_modality``), and the ``(batch, M)`` mask of present modalities. A missing
        modality's vector is zeros. ``mean`` is how all-MiniLM-L6-v2 makes its sentence embeddings."""
        states, token_mask = self.encode_each_modality(modalities)
        batch_size, num_modalities, width, dim = states.shape
        flat = batch_size * num_modalities
        vectors = pool_tokens(states.reshape(flat, width, dim), token_mask.reshape(flat, width), pooling)
        return vectors.view(batch_size, num_modalities, dim), token_mask.any(-1)

    # -- heads, losses, metrics ------------------------------------------------------------------------------------
    def _warn_if_weights_unknown(self) -> None:
        if self._class_weights_unknown and self.training:
            logger.warning("training with class_weighting but without label counts (the vocabulary was read from "
                           "files, as in distributed training): the class weights are uniform. Pass `label_counts` "
                           "to set them.")
            self._class_weights_unknown = False  # once

    def head_outputs(self, logits: torch.Tensor, label: Optional[torch.Tensor],
                     metadata: Optional[Sequence[Dict[str, Any]]] = None) -> Dict[str, torch.Tensor]:
        output: Dict[str, torch.Tensor] = {}
        if label is not None:
            self._warn_if_weights_unknown()
        if self.task == "regression":
            prediction = logits.squeeze(-1)
            output["prediction"] = prediction
            if label is not None:
                output["loss"] = torch.sqrt(F.mse_loss(prediction, label.float()) + 1e-12)  # Eq. 17
                self.metrics(prediction, label)
            return output
        output["logits"] = logits
        if self.task == "multilabel":
            probs = torch.sigmoid(logits)
            output["probs"] = probs
            if label is not None:
                per_class = F.binary_cross_entropy_with_logits(logits, label.float(), reduction="none")
                output["loss"] = (per_class * self.class_weights).sum(-1).mean()  # Eq. 16
                self.metrics(probs, label)
            return output
        probs = torch.softmax(logits, dim=-1)
        output["probs"] = probs
        if label is not None:
            output["loss"] = F.cross_entropy(logits, label.long(), weight=self.class_weights)
            groups = None
            if metadata is not None and all("fine_class" in m for m in metadata):
                groups = [m["fine_class"] for m in metadata]
            self.metrics(probs, label, groups)
        return output

    def get_metrics(self, reset: bool = False) -> Dict[str, float]:
        if reset and self.cache is not None and self.cache.fingerprint is not None:
            self.cache.flush()  # the end of an epoch: its encoder states are on disk before the next run could look
        return self.metrics.get_metric(reset)

    def make_output_human_readable(self, output_dict: Dict[str, Any]) -> Dict[str, Any]:
        if self.task == "regression":
            return output_dict
        probs = output_dict["probs"].detach().cpu()
        output_dict["label_probs"] = [dict(zip(self.label_names, row.tolist())) for row in probs]
        if self.task == "multilabel":
            output_dict["labels"] = [[name for name, p in zip(self.label_names, row.tolist()) if p >= self.threshold]
                                     for row in probs]
        else:
            output_dict["label"] = [self.label_names[int(i)] for i in probs.argmax(-1)]
        return output_dict

    @staticmethod
    def checked(check, value):
        """``check(value)``, its ``ValueError`` turned into AllenNLP's ``ConfigurationError`` (a config mistake)."""
        try:
            return check(value)
        except ValueError as error:
            raise ConfigurationError(str(error)) from None

    @staticmethod
    def add_auxiliary_loss(output: Dict[str, Any], auxiliary: torch.Tensor, task_weight: float = 1.0) -> None:
        """``loss = task_weight * task loss + auxiliary`` (a regulariser or a second task's loss); the task loss
        alone stays in ``task_loss``. Nothing happens without a label (no loss)."""
        if "loss" in output:
            output["task_loss"] = output["loss"]
            output["loss"] = task_weight * output["loss"] + auxiliary

    def finish(self, output: Dict[str, Any], metadata: Optional[Sequence[Dict[str, Any]]]) -> Dict[str, Any]:
        """Carry the records' ids (and their kept word pieces, for explanations) into the output."""
        if metadata is not None:
            output["id"] = self.metadata_ids(metadata)
            output["modality_tokens"] = [m["modality_tokens"] for m in metadata]
        return output

    @staticmethod
    def metadata_ids(metadata: Optional[Sequence[Dict[str, Any]]]) -> Optional[List[Any]]:
        return [m.get("id") for m in metadata] if metadata is not None else None
