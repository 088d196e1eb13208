"""The task heads on their own: each computes its loss and decisions from the paper's formulas (checked by hand),
fits its training statistics, and turns labels into fields."""
import pytest
import torch
from allennlp.data import Vocabulary
from allennlp.data.fields import LabelField, MultiLabelField, TensorField

from dm2s2_allennlp.heads import ClassificationHead, MultilabelHead, RegressionHead, TaskHead
from dm2s2_allennlp.heads.thresholds import tune_thresholds

NAMES = ["Drama", "Comedy", "Short"]


def vocab():
    return Vocabulary({"labels": {name: 1 for name in NAMES}}, non_padded_namespaces=["labels"])


def test_multilabel_eq16_with_fitted_class_weights():
    head = MultilabelHead(vocab(), class_weighting="inverse")
    labels = [MultiLabelField(x) for x in (["Drama"], ["Drama", "Comedy"], ["Drama"], ["Short"])]
    head.set_statistics(head.label_statistics(labels))
    raw = torch.tensor([1 / 3, 1 / 1, 1 / 1])  # N_k = 3, 1, 1
    torch.testing.assert_close(head.class_weights, raw * 3 / raw.sum())
    logits = torch.tensor([[2.0, -1.0, 0.5], [-0.3, 0.2, -2.0]])
    gold = torch.tensor([[1, 0, 1], [0, 1, 0]])
    output = head(logits, gold)
    p, y, w = torch.sigmoid(logits).double(), gold.double(), head.class_weights.double()
    hand = -(w * (y * p.log() + (1 - y) * (1 - p).log())).sum(-1).mean()  # Eq. 16, both terms
    assert output["loss"].item() == pytest.approx(hand.item(), rel=1e-6)


def test_multilabel_decisions_thresholds_and_at_least_one():
    head = MultilabelHead(vocab(), at_least_one=True)
    head.thresholds.copy_(torch.tensor([0.5, 0.3, 0.9]))
    probs = torch.tensor([[0.6, 0.2, 0.95], [0.1, 0.25, 0.2], [0.4, 0.1, 0.85]])
    decided = head.decide(probs)
    # row 1: nothing reaches its threshold -> the class with the largest margin p - t (Comedy: -0.05)
    assert decided.tolist() == [[True, False, True], [False, True, False], [False, False, True]]
    readable = head.make_output_human_readable({"probs": probs})
    assert readable["labels"] == [["Drama", "Short"], ["Comedy"], ["Short"]]
    plain = MultilabelHead(vocab())
    assert plain.make_output_human_readable({"probs": probs})["labels"][1] == []


def test_tuned_thresholds_maximise_each_class_f1():
    torch.manual_seed(0)
    probs = torch.rand(40, 3)
    gold = (probs + 0.4 * torch.randn(40, 3) > 0.6).long()
    gold[:, 2] = 0  # a class without positives keeps the default
    thresholds = tune_thresholds(probs, gold, default=0.5)
    assert thresholds[2] == pytest.approx(0.5)
    for k in range(2):
        def f1(t):
            predicted = probs[:, k] >= t
            tp = (predicted & gold[:, k].bool()).sum().item()
            return 2 * tp / (predicted.sum().item() + gold[:, k].sum().item())
        candidates = sorted(set(probs[:, k].tolist())) + [1.1]
        assert f1(thresholds[k].item()) == pytest.approx(max(f1(c) for c in candidates))
        # a midpoint between two scores, never a score itself: ties are not split
        assert thresholds[k].item() not in probs[:, k].tolist()


def micro_f1(probs, gold, thresholds):
    predicted = probs >= thresholds
    return 2 * (predicted & gold.bool()).sum().item() / (predicted.sum().item() + gold.sum().item())


def test_thresholds_tuned_for_micro_f1_are_a_coordinate_optimum_and_beat_per_class_tuning():
    probs = torch.tensor([[0.9, 0.30], [0.8, 0.35], [0.7, 0.32], [0.2, 0.31], [0.6, 0.33], [0.3, 0.34],
                          [0.85, 0.29], [0.1, 0.36]])
    gold = torch.tensor([[1, 0], [1, 0], [1, 0], [0, 0], [1, 0], [0, 0], [1, 0], [0, 1]])
    per_class = tune_thresholds(probs, gold)
    micro = tune_thresholds(probs, gold, objective="f1_micro")
    assert micro_f1(probs, gold, micro) >= micro_f1(probs, gold, per_class)
    # a coordinate optimum: no single class's cut (any midpoint, or above every score) raises micro-F1
    best = micro_f1(probs, gold, micro)
    for k in range(2):
        cuts = sorted(set(probs[:, k].tolist())) + [1.1]
        for cut in cuts:
            trial = micro.clone()
            trial[k] = cut
            assert micro_f1(probs, gold, trial) <= best + 1e-12
    with pytest.raises(ValueError, match="objective"):
        tune_thresholds(probs, gold, objective="accuracy")


def test_micro_tuning_drops_a_class_whose_every_cut_costs_pooled_f1():
    torch.manual_seed(1)
    n = 200
    gold = torch.zeros(n, 2, dtype=torch.long)
    gold[:120, 0] = 1
    probs = torch.empty(n, 2)
    probs[:, 0] = torch.where(gold[:, 0].bool(), 0.9, 0.1)  # a perfect class: 120 true positives at any cut
    # 10 positives of a class the model cannot tell apart: its own F1 is best when it predicts many records
    # (e.g. all: 2 * 10 / 210 > 0), but every one of those is a false positive for the pooled F1
    gold[torch.arange(0, n, 20), 1] = 1
    probs[:, 1] = torch.rand(n) * 0.5
    per_class, micro = tune_thresholds(probs, gold), tune_thresholds(probs, gold, objective="f1_micro")
    assert micro_f1(probs, gold, micro) > micro_f1(probs, gold, per_class)
    by_hand = 2 * 120 / (120 + 130)  # class 1 never predicted: 120 TP, 120 predicted, 130 gold
    assert micro_f1(probs, gold, micro) >= by_hand - 1e-12


def test_regression_standardises_with_training_statistics():
    head = RegressionHead(vocab(), auc_threshold=3.0)
    targets = [2.0, 3.0, 4.5, 3.5]
    head.set_statistics(head.label_statistics([TensorField(torch.tensor(t)) for t in targets]))
    mean = sum(targets) / 4
    std = (sum((t - mean) ** 2 for t in targets) / 4) ** 0.5
    assert float(head.target_mean) == pytest.approx(mean) and float(head.target_std) == pytest.approx(std)
    layer = torch.nn.Linear(4, 1)
    head.initialize_output_layer(layer)
    assert float(layer.bias.detach()) == 0.0  # the model starts by predicting the training mean
    z = torch.tensor([[0.0], [1.0], [-2.0]])
    gold = torch.tensor([3.25, 4.0, 1.0])
    output = head(z, gold)
    prediction = torch.tensor([mean, mean + std, mean - 2 * std])
    torch.testing.assert_close(output["prediction"], prediction)
    rmse = ((prediction - gold) ** 2).mean().sqrt()  # Eq. 17 in the target's units ...
    assert output["loss"].item() * std == pytest.approx(rmse.item(), rel=1e-5)  # ... fitted divided by std
    metrics = head.get_metrics(reset=True)
    assert metrics["rmse"] == pytest.approx(rmse.item(), rel=1e-5) and "auc" in metrics
    raw = RegressionHead(vocab(), standardize_targets=False)
    raw.set_statistics(raw.label_statistics([TensorField(torch.tensor(t)) for t in targets]))
    assert (float(raw.target_mean), float(raw.target_std)) == (0.0, 1.0)


def test_classification_positive_label_and_class_weights():
    two = Vocabulary({"labels": {"non_parallel": 1, "parallel": 1}}, non_padded_namespaces=["labels"])
    head = ClassificationHead(two, positive_label="non_parallel", class_weighting="inverse_sqrt")
    assert head.positive_index == two.get_token_index("non_parallel", "labels")
    head.set_statistics(head.label_statistics([LabelField(x) for x in ["parallel"] * 4 + ["non_parallel"]]))
    raw = torch.tensor([1 / 4 ** 0.5, 1.0]) if two.get_token_index("parallel", "labels") == 0 else \
        torch.tensor([1.0, 1 / 4 ** 0.5])
    torch.testing.assert_close(head.class_weights, raw * 2 / raw.sum())
    head(torch.tensor([[0.2, 1.0], [2.0, -1.0]]), torch.tensor([1, 0]))
    metrics = head.get_metrics(reset=True)
    assert set(metrics) == {"accuracy", "f1_macro", "auc", "recall_at_p95", "main_score"}
    assert metrics["main_score"] == metrics["accuracy"]
    with pytest.raises(ValueError, match="positive_label"):
        ClassificationHead(two, positive_label="Parallel")


def test_every_registered_head_is_one_of_the_three_tasks():
    tasks = [name for name in TaskHead.list_available() if name != "per_task"]
    assert sorted(tasks) == ["classification", "multilabel", "regression"]
    assert all(isinstance(TaskHead.by_name(t)(vocab()), TaskHead) for t in tasks)
