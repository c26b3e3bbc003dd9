"""KDEWeighter and kde_sample_weight against hand computations."""

import pickle

import numpy as np
import pytest
from scipy.stats import gaussian_kde
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import MinMaxScaler

from skrrl.weighting import KDEWeighter, kde_sample_weight

# a small skewed [Fe/H]-like sample with sparse tails on both sides
Y = np.array([-2.6, -2.0, -1.7, -1.6, -1.55, -1.5, -1.45, -1.4, -1.3, -1.2, -0.9, -0.2])
Y_ERR = np.array([0.1, 0.2, 0.15, 0.1, 0.12, 0.3, 0.1, 0.2, 0.25, 0.1, 0.15, 0.2])


def hand_density(x, y, h):
    """Gaussian KDE written out: mean of normal pdfs of width h at the data."""
    x = np.atleast_1d(x)[:, None]
    return np.mean(np.exp(-0.5 * ((x - y[None, :]) / h) ** 2), axis=1) / (
        np.sqrt(2 * np.pi) * h
    )


def hand_weights(y, y_err, h, threshold=0.5, low=0.01, high=1.0):
    dens = hand_density(y, y, h)
    dense = y[dens > threshold]
    y_lo, y_hi = dense.min(), dense.max()
    w_dens = np.empty_like(y)
    for i, yi in enumerate(y):
        if yi < y_lo:
            w_dens[i] = 1 / hand_density(y_lo, y, h)[0]
        elif yi > y_hi:
            w_dens[i] = 1 / hand_density(y_hi, y, h)[0]
        else:
            w_dens[i] = 1 / dens[i]
    raw = w_dens if y_err is None else w_dens / y_err**2
    return low + (high - low) * (raw - raw.min()) / (raw.max() - raw.min()), (
        y_lo,
        y_hi,
    )


def test_weights_match_hand_computation_scott():
    n = Y.size
    h = np.std(Y, ddof=1) * n ** (-1 / 5)  # Scott's rule, d = 1
    expected, (y_lo, y_hi) = hand_weights(Y, Y_ERR, h)
    # the test only means something if the cap bites on both tails
    assert Y.min() < y_lo and Y.max() > y_hi

    weighter = KDEWeighter()
    weights = weighter.fit_compute_weights(Y, Y_ERR)
    np.testing.assert_allclose(weights, expected, rtol=1e-12)
    np.testing.assert_allclose(weighter.bandwidth_, h, rtol=1e-12)
    assert (weighter.y_lo_, weighter.y_hi_) == (y_lo, y_hi)
    # the exposed scipy KDE is the same density
    np.testing.assert_allclose(weighter.kde_(Y), hand_density(Y, Y, h), rtol=1e-10)
    np.testing.assert_allclose(gaussian_kde(Y)(Y), hand_density(Y, Y, h), rtol=1e-10)
    assert weights.min() == pytest.approx(0.01) and weights.max() == pytest.approx(1)
    np.testing.assert_allclose(kde_sample_weight(Y, Y_ERR), expected, rtol=1e-12)


def test_weights_match_original_recipe():
    # the original code path: scipy KDE, masks, MinMaxScaler(feature_range)
    kde = gaussian_kde(Y)
    ykde = kde(Y)
    dense = Y[ykde > 0.5]
    w_dens = 1.0 / ykde
    w_dens[Y > dense.max()] = 1.0 / kde(dense.max())[0]
    w_dens[Y < dense.min()] = 1.0 / kde(dense.min())[0]
    raw = w_dens / Y_ERR**2
    expected = MinMaxScaler(feature_range=(0.01, 1)).fit_transform(raw[:, None])
    np.testing.assert_allclose(kde_sample_weight(Y, Y_ERR), expected.ravel())


def test_without_errors_density_only():
    h = np.std(Y, ddof=1) * Y.size ** (-1 / 5)
    expected, _ = hand_weights(Y, None, h)
    np.testing.assert_allclose(kde_sample_weight(Y), expected, rtol=1e-12)
    # the densest target gets the smallest weight
    assert np.argmin(kde_sample_weight(Y)) == np.argmax(hand_density(Y, Y, h))


def test_silverman_and_absolute_bandwidth():
    n = Y.size
    silverman = KDEWeighter(bandwidth="silverman").fit(Y)
    np.testing.assert_allclose(
        silverman.bandwidth_, np.std(Y, ddof=1) * (3 * n / 4) ** (-1 / 5)
    )
    fixed = KDEWeighter(bandwidth=0.3, density_threshold=None)
    weights = fixed.fit_compute_weights(Y)
    assert fixed.bandwidth_ == pytest.approx(0.3)
    raw = 1 / hand_density(Y, Y, 0.3)  # no cap
    expected = 0.01 + 0.99 * (raw - raw.min()) / (raw.max() - raw.min())
    np.testing.assert_allclose(weights, expected, rtol=1e-10)


def test_density_is_chunked_without_changing_it():
    from skrrl.weighting._kde import _gaussian_density

    x = np.linspace(-3, 0, 50)
    np.testing.assert_allclose(
        _gaussian_density(x, Y, 0.2, max_cells=Y.size * 7),
        hand_density(x, Y, 0.2),
        rtol=1e-12,
    )


def test_custom_weight_range():
    weights = kde_sample_weight(Y, Y_ERR, weight_range=(0.2, 5.0))
    assert weights.min() == pytest.approx(0.2) and weights.max() == pytest.approx(5.0)


def test_compute_weights_on_new_rows_uses_training_density_and_scale():
    weighter = KDEWeighter().fit(Y, Y_ERR)
    np.testing.assert_allclose(
        weighter.compute_weights(Y, Y_ERR), kde_sample_weight(Y, Y_ERR)
    )
    h = weighter.bandwidth_
    # beyond the training range the density weight stays frozen at the cap
    new_y = np.array([-4.0, weighter.y_lo_, 1.0, weighter.y_hi_])
    err = np.full(4, 0.2)
    w = weighter.compute_weights(new_y, err)
    assert w[0] == pytest.approx(w[1]) and w[2] == pytest.approx(w[3])
    raw = 1 / hand_density(weighter.y_lo_, Y, h)[0] / 0.2**2
    lo_raw = weighter.raw_min_
    expected = 0.01 + 0.99 * (raw - lo_raw) / (weighter.raw_max_ - lo_raw)
    assert w[1] == pytest.approx(expected)
    # a far more precise label than any training one is clipped to the top
    assert weighter.compute_weights([-1.5], [1e-4])[0] == pytest.approx(1.0)


def test_zero_factor_rows_are_absent():
    factor = np.ones_like(Y)
    factor[[0, 5]] = 0.0
    weights = kde_sample_weight(Y, Y_ERR, sample_weight=factor)
    keep = factor > 0
    assert np.all(weights[~keep] == 0)
    np.testing.assert_allclose(weights[keep], kde_sample_weight(Y[keep], Y_ERR[keep]))


def test_sample_weight_is_the_inverse_variance_factor():
    np.testing.assert_allclose(
        kde_sample_weight(Y, sample_weight=1 / Y_ERR**2), kde_sample_weight(Y, Y_ERR)
    )


def test_no_target_above_threshold_gives_uniform_density_weights():
    y = Y * 100  # density per unit y is now ~100 times lower
    with pytest.warns(UserWarning, match="density_threshold"):
        weights = kde_sample_weight(y)
    np.testing.assert_allclose(weights, 1.0)


def test_no_spread_gives_uniform_weights():
    with pytest.warns(UserWarning, match="no spread"):
        weights = kde_sample_weight(
            np.full(5, -1.5), np.array([0.1, 0.2, 0.1, 0.1, 0.1])
        )
    expected = 0.01 + 0.99 * (1 / np.array([0.01, 0.04, 0.01, 0.01, 0.01]) - 25) / 75
    np.testing.assert_allclose(weights, expected)


@pytest.mark.parametrize(
    ("kwargs", "fit_args", "match"),
    [
        ({}, ([np.nan, 1.0, 2.0],), "y contains NaN"),
        ({}, ([1.0, 2.0, 3.0], [0.1, 0.0, 0.1]), "y_err must be strictly positive"),
        ({}, ([1.0, 2.0, 3.0], [0.1, 0.1]), "y_err has 2 rows but y has 3"),
        ({}, ([[1.0, 2.0], [3.0, 4.0]],), "y must be 1-D"),
        ({}, (None,), "y is None"),
        ({}, ([],), "y is empty"),
        ({"bandwidth": "wide"}, (Y,), "bandwidth must be"),
        ({"bandwidth": -0.1}, (Y,), "bandwidth must be"),
        ({"weight_range": (1.0, 0.5)}, (Y,), "weight_range must satisfy"),
        ({"weight_range": 3}, (Y,), "weight_range must be a pair"),
        ({"density_threshold": -1}, (Y,), "density_threshold"),
    ],
)
def test_bad_input(kwargs, fit_args, match):
    with pytest.raises(ValueError, match=match):
        KDEWeighter(**kwargs).fit(*fit_args)


def test_all_zero_weights_and_negative_weights_raise():
    with pytest.raises(ValueError, match="weights are zero"):
        KDEWeighter().fit(Y, sample_weight=np.zeros_like(Y))
    with pytest.raises(ValueError, match="non-negative"):
        KDEWeighter().fit(Y, sample_weight=-np.ones_like(Y))


def test_not_fitted_clone_and_pickle():
    weighter = KDEWeighter(bandwidth=0.2)
    with pytest.raises(NotFittedError):
        weighter.compute_weights(Y)
    assert clone(weighter).get_params() == weighter.get_params()
    fitted = weighter.fit(Y, Y_ERR)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_allclose(
        restored.compute_weights(Y, Y_ERR), fitted.compute_weights(Y, Y_ERR)
    )
    # a refit forgets the old data
    refit = fitted.fit(Y[:6])
    assert refit.n_samples_fit_ == 6
