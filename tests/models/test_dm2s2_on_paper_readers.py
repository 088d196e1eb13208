"""dm2s2 trains, saves and loads on each paper reader's fixture (the same model serves every reader)."""
from allennlp.common.testing import ModelTestCase

from tests.conftest import FIXTURES

CONFIGS = FIXTURES / "configs"


class TestOnMmImdb(ModelTestCase):
    def test_train_save_load(self):
        self.set_up_model(CONFIGS / "mmimdb.jsonnet", "fixtures/mmimdb/mmimdb#train")
        self.ensure_model_can_train_save_and_load(self.param_file)
        self.ensure_batch_predictions_are_consistent()


class TestOnAdsParallelity(ModelTestCase):
    def test_train_save_load_and_per_class_accuracy(self):
        self.set_up_model(CONFIGS / "ads_parallelity.jsonnet", str(FIXTURES / "ads_parallelity" /
                                                                    "ads_parallelity_dataset.csv#train"))
        self.ensure_model_can_train_save_and_load(self.param_file)
        self.model(**self.dataset.as_tensor_dict())
        metrics = self.model.get_metrics(reset=True)
        fine = {i["metadata"]["fine_class"] for i in self.instances}
        assert {f"accuracy_{c}" for c in fine} <= set(metrics) and "auc" in metrics
        # per-class accuracies are consistent with the overall accuracy
        counts = {c: sum(i["metadata"]["fine_class"] == c for i in self.instances) for c in fine}
        overall = sum(metrics[f"accuracy_{c}"] * n for c, n in counts.items()) / len(self.instances)
        assert abs(overall - metrics["accuracy"]) < 1e-9


class TestOnAdLp(ModelTestCase):
    def test_train_save_load_and_regression_auc(self):
        self.set_up_model(CONFIGS / "ad_lp.jsonnet", str(FIXTURES / "ad_lp" / "ad_lp.jsonl"))
        self.ensure_model_can_train_save_and_load(self.param_file)
        self.model.eval()
        output = self.model(**self.dataset.as_tensor_dict())
        metrics = self.model.get_metrics(reset=True)
        assert {"rmse", "mape", "auc"} <= set(metrics)
        # AUC by hand: P(score of a converted ad > score of a non-converted one)
        scores = output["prediction"].tolist()
        gold = [float(i["label"].tensor) > 0 for i in self.instances]
        pos = [s for s, g in zip(scores, gold) if g]
        neg = [s for s, g in zip(scores, gold) if not g]
        pairs = [(p > n) + 0.5 * (p == n) for p in pos for n in neg]
        assert abs(metrics["auc"] - sum(pairs) / len(pairs)) < 1e-6
