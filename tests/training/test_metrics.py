"""AAMI metrics against a slow reimplementation and scikit-learn, on real beat labels."""

import math
import warnings

import numpy as np
import pytest
from sklearn import metrics as sk

from ecgnas.data.aami import AAMI_CLASSES
from ecgnas.exceptions import ConfigError
from ecgnas.training.metrics import (
    UndefinedMetricWarning,
    aami_metrics,
    confusion_matrix,
    evaluate_predictions,
)

CLASSES = list(range(len(AAMI_CLASSES)))


def naive_counts(labels, predictions, label):
    """Count TP, FP, FN and TN of one class beat by beat."""
    tp = fp = fn = tn = 0
    for reference, predicted in zip(labels, predictions, strict=True):
        if reference == label and predicted == label:
            tp += 1
        elif reference != label and predicted == label:
            fp += 1
        elif reference == label and predicted != label:
            fn += 1
        else:
            tn += 1
    return tp, fp, fn, tn


def naive_metrics(labels, predictions, label):
    """Se, +P, F1 (as the harmonic mean of Se and +P) and FPR of one class, None where undefined."""
    tp, fp, fn, tn = naive_counts(labels, predictions, label)
    se = tp / (tp + fn) if tp + fn else None
    ppv = tp / (tp + fp) if tp + fp else None
    if se is None and ppv is None:
        f1 = None
    elif not se or not ppv:
        f1 = 0.0
    else:
        f1 = 2 * se * ppv / (se + ppv)
    fpr = fp / (fp + tn) if fp + tn else None
    return se, ppv, f1, fpr


@pytest.fixture(scope="module")
def labels(search_validation):
    return search_validation.labels


@pytest.fixture(scope="module")
def predictions(labels):
    """Real labels with a third of them replaced by random classes, Q included."""
    rng = np.random.default_rng(7)
    noisy = labels.copy()
    changed = rng.random(labels.size) < 0.33
    noisy[changed] = rng.integers(0, len(AAMI_CLASSES), changed.sum())
    return noisy


def assert_matches(value, expected):
    if expected is None:
        assert math.isnan(value)
    else:
        assert value == pytest.approx(expected, abs=1e-12)


def test_confusion_matches_sklearn(labels, predictions):
    expected = sk.confusion_matrix(labels, predictions, labels=CLASSES)
    np.testing.assert_array_equal(confusion_matrix(labels, predictions), expected)


@pytest.mark.parametrize("index", CLASSES)
def test_per_class_matches_naive(labels, predictions, index):
    result = evaluate_predictions(labels, predictions)
    se, ppv, f1, fpr = naive_metrics(labels.tolist(), predictions.tolist(), index)
    assert_matches(result.sensitivity[index], se)
    assert_matches(result.positive_predictivity[index], ppv)
    assert_matches(result.f1[index], f1)
    assert_matches(result.false_positive_rate[index], fpr)


def test_defined_metrics_match_sklearn(labels, predictions):
    result = evaluate_predictions(labels, predictions)
    present = [0, 1, 2, 3]  # Q has no beat in search-validation
    np.testing.assert_allclose(
        result.sensitivity[present], sk.recall_score(labels, predictions, labels=present, average=None)
    )
    np.testing.assert_allclose(
        result.positive_predictivity[present],
        sk.precision_score(labels, predictions, labels=present, average=None),
    )
    np.testing.assert_allclose(
        result.f1[present], sk.f1_score(labels, predictions, labels=present, average=None)
    )


def test_accuracy_matches_sklearn(labels, predictions):
    result = evaluate_predictions(labels, predictions)
    assert result.accuracy == pytest.approx(sk.accuracy_score(labels, predictions))


def test_macro_f1_matches_sklearn(labels, predictions):
    result = evaluate_predictions(labels, predictions)
    expected = sk.f1_score(labels, predictions, labels=[0, 1, 2, 3], average="macro")
    assert result.macro_f1 == pytest.approx(expected)


def test_macro_f1_custom_subset(labels, predictions):
    result = evaluate_predictions(labels, predictions, macro_classes=("S", "V"))
    expected = sk.f1_score(labels, predictions, labels=[1, 2], average="macro")
    assert result.macro_f1 == pytest.approx(expected)


def test_absent_class_is_nan_without_runtime_warning(labels):
    # Q is absent from the labels and, with perfect predictions, never predicted.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = evaluate_predictions(labels, labels)
    q = AAMI_CLASSES.index("Q")
    assert math.isnan(result.sensitivity[q])
    assert math.isnan(result.positive_predictivity[q])
    assert math.isnan(result.f1[q])
    assert result.false_positive_rate[q] == 0.0


def test_absent_but_predicted_class_scores_zero(labels, predictions):
    result = evaluate_predictions(labels, predictions)
    q = AAMI_CLASSES.index("Q")
    assert result.positive_predictivity[q] == 0.0
    assert result.f1[q] == 0.0


def test_absent_macro_class_warns_once(labels):
    without_f = labels[labels != AAMI_CLASSES.index("F")]
    with pytest.warns(UndefinedMetricWarning) as record:
        evaluate_predictions(without_f, without_f)
    assert len(record) == 1
    assert "F1 of F" in str(record[0].message)


def test_macro_f1_leaves_out_undefined(labels):
    without_f = labels[labels != AAMI_CLASSES.index("F")]
    rng = np.random.default_rng(3)
    predictions = np.where(rng.random(without_f.size) < 0.2, 0, without_f)
    with pytest.warns(UndefinedMetricWarning):
        result = evaluate_predictions(without_f, predictions)
    expected = sk.f1_score(without_f, predictions, labels=[0, 1, 2], average="macro")
    assert result.macro_f1 == pytest.approx(expected)


def test_macro_f1_nan_when_none_defined():
    confusion = np.zeros((5, 5), dtype=np.int64)
    confusion[4, 4] = 3
    with pytest.warns(UndefinedMetricWarning):
        result = aami_metrics(confusion)
    assert math.isnan(result.macro_f1)


def test_all_one_class_fpr_undefined():
    confusion = np.zeros((5, 5), dtype=np.int64)
    confusion[0, 0] = 10
    with pytest.warns(UndefinedMetricWarning):
        result = aami_metrics(confusion)
    assert math.isnan(result.false_positive_rate[0])


def test_flat_dict_keys(labels, predictions):
    flat = evaluate_predictions(labels, predictions).as_flat_dict()
    assert flat["f1_S"] == pytest.approx(sk.f1_score(labels, predictions, labels=[1], average=None)[0])
    assert len(flat) == 2 + 4 * len(AAMI_CLASSES)


def test_per_class_lookup(labels, predictions):
    result = evaluate_predictions(labels, predictions)
    assert result.per_class("V")["f1"] == result.f1[2]


def test_support_and_beat_count(labels, predictions):
    result = evaluate_predictions(labels, predictions)
    np.testing.assert_array_equal(result.support, np.bincount(labels, minlength=5))
    assert result.n_beats == labels.size


def test_unknown_macro_class_rejected():
    with pytest.raises(ConfigError, match="'X'"):
        aami_metrics(np.eye(5, dtype=np.int64), macro_classes=("N", "X"))


def test_empty_macro_classes_rejected():
    with pytest.raises(ConfigError, match="macro_classes is empty"):
        aami_metrics(np.eye(5, dtype=np.int64), macro_classes=())


def test_wrong_shape_rejected():
    with pytest.raises(ConfigError, match=r"\(4, 4\)"):
        aami_metrics(np.eye(4, dtype=np.int64))


def test_empty_matrix_rejected():
    with pytest.raises(ConfigError, match="no beats"):
        aami_metrics(np.zeros((5, 5), dtype=np.int64))


def test_negative_counts_rejected():
    confusion = np.eye(5, dtype=np.int64)
    confusion[0, 1] = -1
    with pytest.raises(ConfigError, match="negative"):
        aami_metrics(confusion)


def test_label_out_of_range_rejected():
    with pytest.raises(ConfigError, match="from 0 to 5"):
        confusion_matrix(np.array([0, 1]), np.array([0, 5]))


def test_length_mismatch_rejected():
    with pytest.raises(ConfigError, match="shapes"):
        confusion_matrix(np.array([0, 1, 2]), np.array([0, 1]))
