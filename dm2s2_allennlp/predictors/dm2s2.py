"""``dm2s2`` predictor (the default of every model of this package): one record in the generic format
(``{"id", "modalities": {...}}``; a ``label`` is kept as ``gold``) -> the prediction with its probabilities, the
InterMRA weight of each modality (``inter_weights``), the IntraMRA weight of each readable word (``intra_weights``,
sub-words merged by ``word_alignment``) and of each word piece (``token_weights``), keyed by modality name.

The baselines use it too: they report what they have (``modality_weights``, ``modality_importance``) in the same
keyed form, and no word weights.

Bad input does not stop ``allennlp predict``: a line that is not a JSON object, a record without ``modalities``, a
value of the wrong type, or a record none of whose modality names the model knows gives one ``{"error": ...}`` output
line (naming the record's position among the input's records and its id) and the other records are predicted.
Modality names the model does not know are listed in the output as ``ignored_modalities`` (and logged once each).

Records in a paper reader's own format go through the archive's reader: ``predict_instance`` on what
``DatasetReader.read`` yields (the ``explain`` and ``erase-modalities`` commands do this).
"""
import json
import logging
from typing import Any, Dict, List, Optional, Set

from allennlp.common.util import JsonDict, sanitize
from allennlp.data import DatasetReader, Instance
from allennlp.models import Model
from allennlp.predictors import Predictor

from dm2s2_allennlp.errors import DataError
from dm2s2_allennlp.predictors.word_alignment import merge_word_pieces

logger = logging.getLogger(__name__)

# per-modality outputs of the models, reported keyed by modality name: DM2S2's InterMRA weights, the merger's and
# MMAE's modality weights, DMMS's max-pool feature importance (dimensions won per modality)
PER_MODALITY_OUTPUTS = ("inter_weights", "modality_weights", "modality_importance")
POSITION = "__input_record__"  # where a record was in the input, carried from load_line to the error message


@Predictor.register("dm2s2")
class DM2S2Predictor(Predictor):
    def __init__(self, model: Model, dataset_reader: DatasetReader, frozen: bool = True) -> None:
        super().__init__(model, dataset_reader, frozen)
        if getattr(dataset_reader, "modalities", ()) is None:  # a reader that infers them: use the model's
            dataset_reader.set_modalities(model.modalities)
        if getattr(dataset_reader, "task", ()) is None and getattr(model, "head", None) is not None:
            dataset_reader.task = model.head.task
        self._records_read = 0
        self._warned: Set[str] = set()

    # -- input ----------------------------------------------------------------------------------------------------
    def load_line(self, line: str) -> JsonDict:
        """One input line (``allennlp predict`` calls this for every non-blank line, in order)."""
        self._records_read += 1
        where = f"input record {self._records_read}"
        if self._records_read == 1:
            line = line.lstrip("\ufeff")  # a UTF-8 byte-order mark before the first record
        try:
            record = json.loads(line)
        except ValueError as error:
            return {"error": f"{where}: not JSON ({error})", POSITION: where}
        except RecursionError:
            return {"error": f"{where}: JSON nested too deeply to read", POSITION: where}
        if not isinstance(record, dict):
            return {"error": f"{where}: a record must be a JSON object, got {type(record).__name__}", POSITION: where}
        record[POSITION] = where
        return record

    def _json_to_instance(self, json_dict: JsonDict) -> Instance:
        where = json_dict.get(POSITION) or "input record"
        if "error" in json_dict and "modalities" not in json_dict:
            raise DataError(where, None, json_dict["error"].split(": ", 1)[-1])
        values = json_dict.get("modalities")
        if not isinstance(values, dict):
            raise DataError(where, "modalities", f"a prediction input needs a `modalities` object, got keys "
                                                 f"{sorted(k for k in json_dict if k != POSITION)}")
        known = list(self._dataset_reader.modalities) + list(getattr(self._dataset_reader, "image_columns", None) or [])
        unknown = [name for name in values if name not in known]
        if values and len(unknown) == len(values):
            raise DataError(where, "modalities", f"none of the record's modality names {unknown} is one of the "
                                                 f"model's {known} (names are case-sensitive)")
        new = [name for name in unknown if name not in self._warned]
        if new:
            self._warned.update(new)
            logger.warning("%s: %d name(s) not among the model's modalities, ignored (said once each): %s%s", where,
                           len(new), ", ".join(map(repr, new[:10])), f" and {len(new) - 10} more" if len(new) > 10
                           else "")
        instance = self._dataset_reader.text_to_instance(modalities=values, id=json_dict.get("id"),
                                                         gold=json_dict.get("label"))
        instance.fields["metadata"].metadata["ignored_modalities"] = unknown
        return instance

    # -- prediction -----------------------------------------------------------------------------------------------
    def predict_json(self, inputs: JsonDict) -> JsonDict:
        return self.predict_batch_json([inputs])[0]

    def predict_batch_json(self, inputs: List[JsonDict]) -> List[JsonDict]:
        results: List[Optional[JsonDict]] = [None] * len(inputs)
        good = []
        for i, record in enumerate(inputs):
            try:
                good.append((i, self._json_to_instance(record)))
            except (ValueError, TypeError) as error:
                results[i] = {"error": str(error), "id": record.get("id")}
        if good:
            for (i, _), output in zip(good, self.predict_batch_instance([instance for _, instance in good])):
                results[i] = output
        return results

    def predict_instance(self, instance: Instance) -> JsonDict:
        return self.explain(instance, self._model.forward_on_instance(instance))

    def predict_batch_instance(self, instances: List[Instance]) -> List[JsonDict]:
        outputs = self._model.forward_on_instances(instances)
        return [self.explain(i, o) for i, o in zip(instances, outputs)]

    def explain(self, instance: Instance, output: Dict[str, Any]) -> JsonDict:
        metadata = instance["metadata"]
        names, tokens = metadata["modality_names"], metadata["modality_tokens"]
        gold = metadata.get("label") if metadata.get("label") is not None else metadata.get("gold")
        result: Dict[str, Any] = {"id": metadata["id"], "gold": gold}
        if metadata.get("ignored_modalities"):
            result["ignored_modalities"] = metadata["ignored_modalities"]
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
        readable = sanitize(result)
        readable["gold"] = gold  # as given (JSON already); AllenNLP's sanitize would turn a missing one into "None"
        readable["id"] = metadata["id"]  # likewise: a record without an id has a null one
        return readable
