"""Tests of the exact [Fe/H] posterior of simulated RR Lyrae light curves."""

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import ndtr

from skrrl.datasets import make_rrlyrae, rrlyrae_feh_posterior, rrlyrae_magnitudes
from skrrl.datasets._rrl_physics import _p_median, draw_mu
from skrrl.datasets._shape_model import (
    curve,
    log_acceptance,
    log_period_density,
    log_prior_mu,
    truth_theta,
)


@pytest.fixture(scope="module")
def noisy():
    frame, y, truth = make_rrlyrae(1000, feh_scatter=0.2, random_state=1)
    posteriors = {
        method: rrlyrae_feh_posterior(frame, truth, feh_scatter=0.2, method=method)
        for method in ("exact", "laplace")
    }
    return frame, y, truth, posteriors


@pytest.mark.parametrize("method", ["exact", "laplace"])
def test_posterior_is_calibrated(noisy, method):
    # only a posterior consistent with the simulator has E[(mean - mu)^2] =
    # E[var] and nominal coverage; a wrong prior, likelihood or width breaks it
    _, _, truth, posteriors = noisy
    post = posteriors[method]
    error = post["mean"].to_numpy() - truth["feh_relation"].to_numpy()
    std = post["std"].to_numpy()
    assert 0.85 < np.mean(error**2) / np.mean(std**2) < 1.18
    assert 0.64 < np.mean(np.abs(error) < std) < 0.72
    assert 0.93 < np.mean(np.abs(error) < 2 * std) < 0.97


def test_floors_are_ordered(noisy):
    # scatter < exact (more known) < laplace (shape unknown) < y's own spread;
    # the posterior mean reaches its floor
    _, y, truth, posteriors = noisy
    floors = {
        k: np.sqrt(0.2**2 + np.mean(p["std"] ** 2)) for k, p in posteriors.items()
    }
    assert 0.2 < floors["exact"] < floors["laplace"] < 0.25 < np.std(y)
    for method, post in posteriors.items():
        rmse = np.sqrt(np.mean((post["mean"] - y) ** 2))
        assert rmse == pytest.approx(floors[method], rel=0.05)
    # marginalising the shape widens the posterior of nearly every star
    wider = posteriors["laplace"]["std"] > posteriors["exact"]["std"]
    assert wider.mean() > 0.95


def test_blind_start_finds_the_truth_mode():
    # the fit that never sees the true shape lands, for nearly every star, on
    # the mode found from the truth, so it estimates mu as well
    frame, y, truth = make_rrlyrae(64, random_state=4)
    modes = [
        rrlyrae_feh_posterior(frame, truth, method="laplace", start=start)["mean"]
        for start in ("truth", "blind")
    ]
    same = np.abs(modes[0] - modes[1]) < 1e-3
    assert same.mean() > 0.9
    rmse = [np.sqrt(np.mean((m - y) ** 2)) for m in modes]
    assert rmse[1] == pytest.approx(rmse[0], rel=0.05)


def test_noiseless_curves_pin_mu():
    # the same 30 stars with and without noise: without it the likelihood peaks
    # at the truth and the mean only moves by the prior's pull
    errors = []
    for noise in (True, False):
        frame, _, truth = make_rrlyrae(30, noise=noise, random_state=2)
        post = rrlyrae_feh_posterior(frame, truth, feh_scatter=0.2)
        errors.append(post["mean"].to_numpy() - truth["feh_relation"].to_numpy())
    noisy, noiseless = errors
    assert np.median(np.abs(noiseless)) < 0.25 * np.median(np.abs(noisy))
    assert np.median(np.abs(noiseless)) < 0.01


def test_shape_model_reproduces_the_simulated_curves():
    # the variables recovered from the truth table rebuild rrlyrae_magnitudes'
    # noiseless curves, and the noisy magnitudes scatter by mag_err about them
    frame, _, truth = make_rrlyrae(50, random_state=3)
    theta = truth_theta(truth)
    period = truth["period"].to_numpy()
    n_harm = truth["n_harmonics"].to_numpy()
    grid = np.linspace(0, 1, 200, endpoint=False)
    model = curve(theta, period, n_harm, grid)
    expected = rrlyrae_magnitudes(truth, grid) - truth["mean_mag"].to_numpy()[:, None]
    np.testing.assert_allclose(model, expected, atol=1e-12)
    z = [
        (m - truth["mean_mag"].iloc[i] - curve(theta[i], period[i], n_harm[i], p)) / e
        for i, (t, m, e) in enumerate(
            zip(frame["time"], frame["mag"], frame["mag_err"])
        )
        for p in [np.mod((t - truth["epoch"].iloc[i]) / period[i], 1.0)]
    ]
    assert np.std(np.concatenate(z)) == pytest.approx(1.0, abs=0.05)


def test_prior_density_matches_draw_mu():
    total = quad(lambda m: np.exp(log_prior_mu(np.array(m), 0.2)), -3.0, 0.2)[0]
    assert total == pytest.approx(1.0, abs=1e-6)
    mean = quad(lambda m: m * np.exp(log_prior_mu(np.array(m), 0.2)), -3.0, 0.2)[0]
    draws = draw_mu(200_000, 0.2, np.random.RandomState(0))
    assert mean == pytest.approx(draws.mean(), abs=4 * draws.std() / np.sqrt(2e5))


def test_period_density_sums_to_one_with_its_atoms():
    mu = np.array(-0.5)
    inside = quad(lambda p: np.exp(log_period_density(np.array(p), mu)), 0.3, 1.0)
    atoms = np.exp(log_period_density(np.array([0.3, 1.0]), mu)).sum()
    assert inside[0] + atoms == pytest.approx(1.0, abs=1e-6)
    # the median moves with mu as in the simulator
    assert np.exp(log_period_density(np.array(_p_median(0.567, mu)), mu)) > np.exp(
        log_period_density(np.array(0.567), mu)
    )


@pytest.mark.parametrize("mu", [-3.0, -2.8, -1.5, 0.2])
def test_acceptance_matches_a_direct_integral(mu):
    # P(phi31 in [0.3, 4.7]) of the first draw, by quadrature over the lognormal
    # period with R21 | P Gaussian (the simulator's clips ignored)
    median = 0.567 * np.exp(-0.086 * (mu + 1.41))

    def kept(log_p):
        p = np.exp(log_p)
        r21_mean = 0.48 + 0.25 * (0.70 - 1.5 * (p - 0.567) - 0.70)
        r21_sd = np.hypot(0.073, 0.25 * 0.17)
        centre = (
            2.0 + (mu + 1.888 + 5.772 * (p - 0.6) - 1.065 * (r21_mean - 0.45)) / 1.09
        )
        sd = 1.065 * r21_sd / 1.09
        inside = ndtr((4.7 - centre) / sd) - ndtr((0.3 - centre) / sd)
        z = (log_p - np.log(median)) / 0.128
        return inside * np.exp(-0.5 * z**2) / (0.128 * np.sqrt(2 * np.pi))

    expected = quad(kept, np.log(median) - 8 * 0.128, np.log(median) + 8 * 0.128)[0]
    assert np.exp(log_acceptance(np.array(mu))) == pytest.approx(expected, abs=0.005)


def test_bad_input():
    frame, _, truth = make_rrlyrae(4, kind="mixed", random_state=0)
    with pytest.raises(ValueError, match="only RRab"):
        rrlyrae_feh_posterior(frame, truth)
    frame, _, truth = make_rrlyrae(4, random_state=0)
    with pytest.raises(ValueError, match="feh_scatter"):
        rrlyrae_feh_posterior(frame, truth, feh_scatter=0.5)
    with pytest.raises(ValueError, match="same index"):
        rrlyrae_feh_posterior(frame.iloc[::-1], truth)
    with pytest.raises(ValueError, match="truth lacks"):
        rrlyrae_feh_posterior(frame, truth.drop(columns="amplitudes"))
    with pytest.raises(ValueError, match="method"):
        rrlyrae_feh_posterior(frame, truth, method="mcmc")
    with pytest.raises(ValueError, match="start"):
        rrlyrae_feh_posterior(frame, truth, method="laplace", start="prior")
    with pytest.raises(ValueError, match="needs method='laplace'"):
        rrlyrae_feh_posterior(frame, truth, start="blind")
    frame, _, truth = make_rrlyrae(20, outlier_fraction=0.1, random_state=0)
    with pytest.raises(ValueError, match="outliers"):
        rrlyrae_feh_posterior(frame, truth)
