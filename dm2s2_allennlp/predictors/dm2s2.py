"""``dm2s2`` predictor (the default of ``dm2s2`` archives): one record in the generic format
(``{"id", "modalities": {...}}``; a ``label`` is kept as ``gold``) -> the prediction with its probabilities, the
InterMRA weight of each modality (``inter_weights``), the IntraMRA weight of each readable word (``intra_weights``,
sub-words merged by ``word_alignment``) and of each word piece (``token_weights``), keyed by modality name.

The baselines use it too: they report what they have (``modality_weights``, ``modality_importance``) in the same
keyed form, and no word weights.

Records in a paper reader's own format go through the archive's reader: ``predict_instance`` on what
``DatasetReader.read`` yields (the ``explain`` and ``erase-modalities`` commands do this).
"""
from typing import Any, Dict, List

from allennlp.common.util import JsonDict, sanitize
from allennlp.data import Instance
from allennlp.predictors import Predictor

from dm2s2_allennlp.predictors.word_alignment import merge_word_pieces

# per-modality outputs of the models, reported keyed by modality name: DM2S2's InterMRA weights, the merger's and
# MMAE's modality weights, DMMS's max-pool feature importance (dimensions won per modality)
PER_MODALITY_OUTPUTS = ("inter_weights", "modality_weights", "modality_importance")


@Predictor.register("dm2s2")
class DM2S2Predictor(Predictor):
    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        if "modalities" not in json_dict or not isinstance(json_dict["modalities"], dict):
            raise ValueError(f"a prediction input needs a `modalities` object, got keys {sorted(json_dict)}")
        return self._dataset_reader.text_to_instance(modalities=json_dict["modalities"], id=json_dict.get("id"),
                                                     gold=json_dict.get("label"))

    def predict_json(self, inputs: JsonDict) -> JsonDict:
        return self.predict_instance(self._json_to_instance(inputs))

    def predict_instance(self, instance: Instance) -> JsonDict:
        return self.explain(instance, self._model.forward_on_instance(instance))

    def predict_batch_instance(self, instances: List[Instance]) -> List[JsonDict]:
        outputs = self._model.forward_on_instances(instances)
        return [self.explain(i, o) for i, o in zip(instances, outputs)]

    def explain(self, instance: Instance, output: Dict[str, Any]) -> JsonDict:
        names = instance["metadata"]["modality_names"]
        tokens = instance["metadata"]["modality_tokens"]
        metadata = instance["metadata"]
        result: Dict[str, Any] = {"id": metadata["id"], "gold": metadata.get("label") if metadata.get("label") is not None else metadata.get("gold")}
        for key in ("labels", "label", "label_probs", "prediction"):
            if key in output:
                result[key] = output[key]
        for key in PER_MODALITY_OUTPUTS:
            if key in output:
                result[key] = {name: float(w) for name, w in zip(names, output[key])}
        if "intra_weights" in output:
            result["token_weights"] = {
                name: [[tok, float(w)] for tok, w in zip(toks, row[: len(toks)])]
                for name, toks, row in zip(names, tokens, output["intra_weights"])
            }
            result["intra_weights"] = {
                name: [list(pair) for pair in merge_word_pieces(toks, [float(w) for w in row[: len(toks)]])]
                for name, toks, row in zip(names, tokens, output["intra_weights"])
            }
        return sanitize(result)
