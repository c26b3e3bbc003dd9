"""skrrl.metrics functions and report against numpy/sklearn hand computations."""

import numpy as np
import pytest
from sklearn import metrics as skm

from skrrl.metrics import (
    RegressionReport,
    bias,
    jensen_shannon_divergence,
    mae,
    median_absolute_error,
    regression_report,
    rmse,
    weighted_mae,
    weighted_r2,
    weighted_rmse,
)


@pytest.fixture
def sample():
    rng = np.random.default_rng(11)
    y = rng.normal(-1.5, 0.5, 41)
    pred = y + rng.normal(0.05, 0.2, 41)
    sigma = rng.uniform(0.05, 0.3, 41)
    return y, pred, 1 / sigma**2


def test_unweighted_metrics_by_hand(sample):
    y, pred, _ = sample
    r = pred - y
    assert rmse(y, pred) == pytest.approx(np.sqrt(np.mean(r**2)))
    assert mae(y, pred) == pytest.approx(np.mean(np.abs(r)))
    assert bias(y, pred) == pytest.approx(np.mean(r))
    assert median_absolute_error(y, pred) == pytest.approx(np.median(np.abs(r)))
    assert median_absolute_error(y[:-1], pred[:-1]) == pytest.approx(
        skm.median_absolute_error(y[:-1], pred[:-1])  # even n: mean of the middle two
    )


def test_weighted_metrics_by_hand(sample):
    y, pred, w = sample
    r = pred - y
    assert weighted_rmse(y, pred, w) == pytest.approx(
        np.sqrt(np.sum(w * r**2) / w.sum())
    )
    assert weighted_mae(y, pred, w) == pytest.approx(np.sum(w * np.abs(r)) / w.sum())
    ybar = np.sum(w * y) / w.sum()
    expected_r2 = 1 - np.sum(w * r**2) / np.sum(w * (y - ybar) ** 2)
    assert weighted_r2(y, pred, w) == pytest.approx(expected_r2)
    assert weighted_r2(y, pred, w) == pytest.approx(
        skm.r2_score(y, pred, sample_weight=w)
    )
    assert bias(y, pred, sample_weight=w) == pytest.approx(np.sum(w * r) / w.sum())
    assert rmse(y, pred, sample_weight=w) == weighted_rmse(y, pred, w)


def test_weighted_median_by_hand():
    errors = np.array([0.4, 0.1, 0.3, 0.2])
    zeros = np.zeros(4)
    # integer weights behave like repeated rows: [0.1, 0.2, 0.3, 0.3, 0.3, 0.4]
    w = np.array([1, 1, 3, 1])
    assert median_absolute_error(zeros, errors, sample_weight=w) == pytest.approx(0.3)
    repeated = np.repeat(errors, w)
    assert median_absolute_error(zeros, errors, sample_weight=w) == pytest.approx(
        np.median(repeated)
    )
    # an exact half: mean of the lower and upper weighted medians
    w = np.array([1, 1, 1, 1])
    assert median_absolute_error(zeros, errors, sample_weight=w) == pytest.approx(0.25)
    w = np.array([2, 1, 0.5, 0.5])  # sorted: 0.1(1) 0.2(0.5) 0.3(0.5) 0.4(2)
    assert median_absolute_error(zeros, errors, sample_weight=w) == pytest.approx(0.35)


def test_jensen_shannon_by_hand():
    y_true = np.array([0.0, 0.1, 0.2, 0.9])
    y_pred = np.array([0.1, 0.2, 0.8, 0.9])
    # two bins on [0, 0.9]: p = [3, 1]/4, q = [2, 2]/4
    p, q = np.array([0.75, 0.25]), np.array([0.5, 0.5])
    m = (p + q) / 2
    expected = 0.5 * np.sum(p * np.log2(p / m)) + 0.5 * np.sum(q * np.log2(q / m))
    assert jensen_shannon_divergence(y_true, y_pred, bins=2) == pytest.approx(expected)
    assert jensen_shannon_divergence(y_true, y_true) == 0.0


def test_weighted_functions_require_weights(sample):
    y, pred, _ = sample
    for func in (weighted_rmse, weighted_mae, weighted_r2):
        with pytest.raises(ValueError, match="needs sample_weight"):
            func(y, pred, None)


def test_bad_input():
    with pytest.raises(ValueError, match="inconsistent"):
        median_absolute_error([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="non-negative"):
        bias([1.0, 2.0], [1.0, 2.0], sample_weight=[1.0, -1.0])
    with pytest.raises(ValueError, match="empty"):
        bias([], [])


def test_regression_report(sample):
    y, pred, w = sample
    report = regression_report(y, pred)
    assert isinstance(report, RegressionReport)
    assert list(report) == [
        "n",
        "bias",
        "rmse",
        "mae",
        "median_absolute_error",
        "r2",
        "jensen_shannon",
    ]
    assert report["n"] == 41
    assert report["rmse"] == pytest.approx(np.sqrt(skm.mean_squared_error(y, pred)))
    assert report["r2"] == pytest.approx(skm.r2_score(y, pred))
    weighted = regression_report(y, pred, sample_weight=w)
    assert weighted["weighted_rmse"] == pytest.approx(
        np.sqrt(skm.mean_squared_error(y, pred, sample_weight=w))
    )
    assert weighted["weighted_mae"] == pytest.approx(
        skm.mean_absolute_error(y, pred, sample_weight=w)
    )
    assert weighted["weighted_r2"] == pytest.approx(
        skm.r2_score(y, pred, sample_weight=w)
    )
    assert weighted["rmse"] == report["rmse"]
    text = str(weighted)
    assert text.splitlines()[0].split() == ["metric", "value"]
    assert f"{weighted['weighted_rmse']:.4f}" in text
    frame = weighted.to_frame("gru")
    assert frame.shape == (1, len(weighted)) and frame.index[0] == "gru"
    assert frame.loc["gru", "n"] == 41
