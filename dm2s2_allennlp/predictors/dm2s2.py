"""``dm2s2`` predictor: one record in the generic format (``{"id", "modalities": {...}}``; a ``label`` is ignored)
-> the prediction with its probabilities, the InterMRA weight of each modality and the IntraMRA weight of each kept
word piece, keyed by modality name.
"""
from typing import Any, Dict, List

from allennlp.common.util import JsonDict, sanitize
from allennlp.data import Instance
from allennlp.predictors import Predictor


@Predictor.register("dm2s2")
class DM2S2Predictor(Predictor):
    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        if "modalities" not in json_dict or not isinstance(json_dict["modalities"], dict):
            raise ValueError(f"a prediction input needs a `modalities` object, got keys {sorted(json_dict)}")
        return self._dataset_reader.text_to_instance(modalities=json_dict["modalities"], id=json_dict.get("id"))

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
        result: Dict[str, Any] = {"id": instance["metadata"]["id"]}
        for key in ("labels", "label", "label_probs", "prediction"):
            if key in output:
                result[key] = output[key]
        result["inter_weights"] = {name: float(w) for name, w in zip(names, output["inter_weights"])}
        result["intra_weights"] = {
            name: [[tok, float(w)] for tok, w in zip(toks, row[: len(toks)])]
            for name, toks, row in zip(names, tokens, output["intra_weights"])
        }
        return sanitize(result)
