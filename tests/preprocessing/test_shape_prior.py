"""ShapePriorResampler: known prior recovered, exact posterior, limits, accuracy."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import ConvergenceWarning

from skrrl.datasets import make_rrlyrae, rrlyrae_magnitudes
from skrrl.frame import make_frame
from skrrl.preprocessing import PhaseFolder, ShapePriorResampler, SplineResampler

# a known prior of [a1, b1, a2, b2] (m = sum a_k cos 2πkφ + b_k sin 2πkφ)
MEAN = np.array([0.30, 0.10, 0.05, -0.02])
COV = np.array(
    [
        [0.0100, 0.0020, 0.0010, 0.0000],
        [0.0020, 0.0040, 0.0000, 0.0005],
        [0.0010, 0.0000, 0.0020, 0.0003],
        [0.0000, 0.0005, 0.0003, 0.0010],
    ]
)


def _folded(phases, mags, errs):
    """A folded frame from phases (period 1 d, epoch 0, so phase = time)."""
    frame = make_frame(
        phases,
        mags,
        mag_err=errs,
        period=np.ones(len(phases)),
        epoch=np.zeros(len(phases)),
    )
    return PhaseFolder().fit_transform(frame)


def _series(shape, phase):
    k = np.arange(1, len(shape) // 2 + 1)
    arg = 2 * np.pi * np.outer(phase, k)
    return np.cos(arg) @ shape[0::2] + np.sin(arg) @ shape[1::2]


def _prior_sample(n, rng, n_epochs=25, err=0.03):
    shapes = rng.multivariate_normal(MEAN, COV, n)
    phases = [np.sort(rng.uniform(0, 1, n_epochs)) for _ in range(n)]
    mags = [
        16 + rng.normal() + _series(s, p) + err * rng.standard_normal(n_epochs)
        for s, p in zip(shapes, phases)
    ]
    return _folded(phases, mags, [np.full(n_epochs, err)] * n)


def test_em_recovers_a_known_prior():
    # noise (0.03 mag) comparable to the population spread: the prior must be
    # deconvolved, not the scatter of per-star fits
    folded = _prior_sample(3000, np.random.default_rng(0))
    sp = ShapePriorResampler(n_harmonics=2, tol=1e-7).fit(folded)
    se = np.sqrt(np.diag(COV) / 3000)
    np.testing.assert_allclose(sp.mean_, MEAN, atol=4 * se.max())
    np.testing.assert_allclose(sp.covariance_, COV, atol=0.0008)
    # a prior learned as the scatter of unregularised fits would be inflated
    assert np.trace(sp.covariance_) < 1.1 * np.trace(COV)


def test_posterior_equals_explicit_bayesian_regression():
    folded = _prior_sample(400, np.random.default_rng(1), n_epochs=9, err=0.05)
    sp = ShapePriorResampler(n_harmonics=2, n_points=16, channels=("mag_raw",))
    out = sp.fit(folded).transform(folded)[:, 0]
    # dense reference: A0 with a very wide Gaussian prior, shape with the fit prior
    prior_mean = np.concatenate([[0.0], sp.mean_])
    prior_cov = np.zeros((5, 5))
    prior_cov[0, 0] = 1e8
    prior_cov[1:, 1:] = sp.covariance_
    for i in (0, 7, 123):
        phase, mag = folded["phase"].iloc[i], folded["mag"].iloc[i]
        w = folded["mag_err"].iloc[i] ** -2.0
        k = np.arange(1, 3)
        X = np.column_stack(
            [
                np.ones_like(phase),
                *[f(2 * np.pi * kk * phase) for kk in k for f in (np.cos, np.sin)],
            ]
        )
        P = np.linalg.inv(prior_cov)
        post = np.linalg.solve(
            P + X.T @ (w[:, None] * X), P @ prior_mean + X.T @ (w * mag)
        )
        expected = post[0] + _series(post[1:], sp.grid_)
        np.testing.assert_allclose(out[i], expected, atol=1e-6)


def test_one_epoch_gives_the_prior_shape_through_the_point():
    sp = ShapePriorResampler(n_harmonics=2, n_points=8, channels=("mag", "mag_raw"))
    sp.fit(_prior_sample(500, np.random.default_rng(2)))
    single = _folded([np.array([0.25])], [np.array([17.0])], [np.array([0.01])])
    out = sp.transform(single)[0]
    np.testing.assert_allclose(out[0], _series(sp.mean_, sp.grid_), atol=1e-10)
    assert out[1][2] == pytest.approx(17.0)  # grid point 2 is phase 0.25


def test_precise_dense_curve_is_followed():
    rng = np.random.default_rng(3)
    sp = ShapePriorResampler(n_harmonics=2, n_points=20, channels=("mag",))
    sp.fit(_prior_sample(500, rng))
    shape = np.array([0.5, -0.3, 0.2, 0.1])  # far from the prior mean
    phase = np.sort(rng.uniform(0, 1, 200))
    folded = _folded([phase], [15 + _series(shape, phase)], [np.full(200, 1e-4)])
    np.testing.assert_allclose(
        sp.transform(folded)[0, 0], _series(shape, sp.grid_), atol=1e-4
    )


def test_closer_to_the_truth_than_the_spline_on_simulated_rrab():
    frame, _, truth = make_rrlyrae(1000, random_state=0)
    folded = PhaseFolder().fit_transform(frame)
    grid = np.arange(66) / 66
    true = rrlyrae_magnitudes(truth, grid)
    true -= true.mean(axis=1, keepdims=True)
    rms = {}
    for name, est in (
        ("prior", ShapePriorResampler(n_points=66, channels=("mag",))),
        ("spline", SplineResampler(n_points=66, channels=("mag",))),
    ):
        rms[name] = np.sqrt(np.mean((est.fit_transform(folded)[:, 0] - true) ** 2))
    assert rms["prior"] < 0.75 * rms["spline"]


def test_convergence_warning():
    folded = _prior_sample(200, np.random.default_rng(4))
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        ShapePriorResampler(n_harmonics=2, max_iter=1, tol=0.0).fit(folded)


def test_bad_input():
    folded = _prior_sample(20, np.random.default_rng(5))
    with pytest.raises(ValueError, match="mag_err"):
        ShapePriorResampler().fit(folded.drop(columns="mag_err"))
    with pytest.raises(ValueError, match="PhaseFolder"):
        ShapePriorResampler().fit(folded.drop(columns="phase"))
    with pytest.raises(ValueError, match="PhaseFolder"):
        ShapePriorResampler().fit(np.zeros((3, 5)))
    bad = folded.copy()
    bad.at[bad.index[0], "mag_err"] = np.zeros(len(bad["mag_err"].iloc[0]))
    with pytest.raises(ValueError, match="positive"):
        ShapePriorResampler().fit(bad)
    for params in (
        {"n_harmonics": 0},
        {"n_points": 0},
        {"tol": -1},
        {"channels": ("x",)},
    ):
        with pytest.raises(ValueError):
            ShapePriorResampler(**params).fit(folded)
    assert isinstance(folded, pd.DataFrame)
