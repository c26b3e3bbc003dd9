"""Known answers on real data: Dékány & Grebel (2022) out-of-fold [Fe/H] predictions."""

import warnings

import numpy as np
import pytest

from skrrl.metrics import regression_report
from skrrl.model_selection import BinnedStratifiedKFold, rank_bins
from skrrl.weighting import KDEWeighter


@pytest.fixture(scope="module")
def oof(shared_data):
    path = shared_data / "dekany2022" / "dev_g_feh_oof_predictions.dat"
    fold, y_true, y_pred = np.loadtxt(path, usecols=(1, 2, 3), unpack=True)
    return fold.astype(int), y_true, y_pred


def test_report_reproduces_published_rmse(oof):
    _, y_true, y_pred = oof
    report = regression_report(y_true, y_pred)
    assert report["n"] == 4458
    # SOURCE.md: RMSE over all rows = 0.178 dex
    assert report["rmse"] == pytest.approx(0.178, abs=5e-4)
    assert 0 < report["jensen_shannon"] < 0.05  # predictions narrow the distribution
    assert np.std(y_pred) < np.std(y_true)


def test_density_weights_on_real_labels(oof):
    _, y_true, _ = oof
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # [Fe/H] is dense enough for the 0.5 cap
        weighter = KDEWeighter().fit(y_true)
    weights = weighter.compute_weights(y_true)
    # both tails are capped inside the observed range
    assert y_true.min() < weighter.y_lo_ < weighter.y_hi_ < y_true.max()
    low_tail, high_tail = y_true < weighter.y_lo_, y_true > weighter.y_hi_
    assert np.ptp(weights[low_tail]) == 0 and np.ptp(weights[high_tail]) == 0
    # metal-poor tail outweighs the bulk near the mode
    mode = np.abs(y_true - np.median(y_true)) < 0.1
    assert weights[low_tail].min() > 5 * np.median(weights[mode])


def test_rank_bins_and_ten_folds_on_real_labels(oof):
    _, y_true, _ = oof
    bins = rank_bins(y_true)
    assert np.bincount(bins).tolist() == [20] * 222 + [18]  # 4458 = 222 * 20 + 18
    cv = BinnedStratifiedKFold(10, random_state=0)
    for _, test in cv.split(None, y_true):
        assert set(bins[test]) == set(range(223))
