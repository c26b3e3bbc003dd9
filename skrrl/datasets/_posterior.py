"""Posterior of the simulated [Fe/H] relation value given a noisy light curve.

:func:`make_rrlyrae` ties [Fe/H] to the light-curve shape, then blurs both: the
returned ``y`` scatters by ``feh_scatter`` about the relation value ``mu``, and the
observed magnitudes scatter by ``mag_err`` about the shape. The first part is the
floor no method beats even with perfect curves; the second adds the error of
reading ``mu`` off a few dozen noisy epochs. For the best estimate of ``y`` (the
posterior mean of ``mu``) the expected squared error is

    feh_scatter**2 + mean(posterior variance of mu),

the light-curve noise floor of a sample. Two posteriors: ``"exact"`` gives the
estimator every simulation variable except ``mu`` (a one-dimensional posterior,
evaluated on a grid; a strict lower bound on any method's error, since knowing
more can only lower the Bayes risk), ``"laplace"`` marginalises the shape
variables with a Gaussian approximation at the posterior mode (:mod:`._laplace`).
"""

import numpy as np
import pandas as pd

from skrrl.datasets._laplace import laplace_posterior
from skrrl.datasets._rrl_physics import MU_RANGE, PHI31_RANGE, phi31_ab
from skrrl.datasets._shape_model import (
    curve,
    log_prior_mu_period,
    padded_curves,
    truth_theta,
)

__all__ = ["rrlyrae_feh_posterior"]

_CHUNK = 16  # stars evaluated at once on the grid


def _moments(log_post, mu):
    """Mean and variance of grid posteriors (one uniform grid per row)."""
    weight = np.exp(log_post - log_post.max(axis=1, keepdims=True))
    weight /= weight.sum(axis=1, keepdims=True)
    mean = (weight * mu).sum(axis=1)
    return mean, (weight * (mu - mean[:, None]) ** 2).sum(axis=1)


def _grid_log_posterior(theta, period, n_harm, mean_mag, curves, grid, scatter):
    """Log posterior of mu on each star's grid, every other variable at theta."""
    phase, mag, inv_err = curves
    rows = np.repeat(theta[:, None, :], grid.shape[1], axis=1)
    rows[..., 0] = grid
    model = curve(rows, period[:, None], n_harm[:, None], phase[:, None, :])
    resid = (mag[:, None, :] - mean_mag[:, None, None] - model) * inv_err[:, None, :]
    log_post = -0.5 * (resid**2).sum(axis=2)
    log_post += log_prior_mu_period(grid, period[:, None], scatter)
    phi31 = phi31_ab(grid, period[:, None], theta[:, None, 2])
    physical = (phi31 >= PHI31_RANGE[0]) & (phi31 <= PHI31_RANGE[1])
    return np.where(physical, log_post, -np.inf)


def _exact_posterior(frame, truth, feh_scatter, n_grid):
    theta = truth_theta(truth)
    period = truth["period"].to_numpy(float)
    n_harm = truth["n_harmonics"].to_numpy()
    mean_mag = truth["mean_mag"].to_numpy(float)
    coarse = np.linspace(*MU_RANGE, n_grid)
    mean, var = np.empty(len(frame)), np.empty(len(frame))
    for lo in range(0, len(frame), _CHUNK):
        rows = np.arange(lo, min(lo + _CHUNK, len(frame)))
        curves = padded_curves(frame, truth, rows)
        grid = np.broadcast_to(coarse, (len(rows), n_grid))
        for refine in (False, True):
            if refine:  # +-8 sd around the coarse mean, at least 4 coarse steps
                half = np.maximum(8 * np.sqrt(var[rows]), 4 * (coarse[1] - coarse[0]))
                low = np.maximum(mean[rows] - half, MU_RANGE[0])
                high = np.minimum(mean[rows] + half, MU_RANGE[1])
                grid = np.linspace(low, high, n_grid, axis=1)
            log_post = _grid_log_posterior(
                theta[rows],
                period[rows],
                n_harm[rows],
                mean_mag[rows],
                curves,
                grid,
                feh_scatter,
            )
            mean[rows], var[rows] = _moments(log_post, grid)
    return mean, np.sqrt(var)


def _check(frame, truth, feh_scatter, method, start):
    if method not in ("exact", "laplace"):
        raise ValueError(f"method must be 'exact' or 'laplace', got {method!r}")
    if start not in ("truth", "blind"):
        raise ValueError(f"start must be 'truth' or 'blind', got {start!r}")
    if start == "blind" and method != "laplace":
        raise ValueError("start='blind' needs method='laplace'")
    if not 0 <= feh_scatter < 0.3:
        raise ValueError(
            f"feh_scatter must be in [0, 0.3) as in make_rrlyrae, got {feh_scatter}"
        )
    needed = {"feh_relation", "amplitudes", "phases", "amplitude", "mean_mag"}
    missing = needed - set(truth.columns)
    if missing:
        raise ValueError(f"truth lacks {sorted(missing)}: pass make_rrlyrae's truth")
    if not frame.index.equals(truth.index):
        raise ValueError("frame and truth must have the same index (source_id)")
    not_ab = truth.index[truth["kind"].to_numpy() != "RRab"]
    if len(not_ab):
        raise ValueError(
            f"only RRab stars are supported; source_id={not_ab[0]} is "
            f"{truth.loc[not_ab[0], 'kind']} ({len(not_ab)} non-RRab stars)"
        )
    if "n_outliers" in truth and truth["n_outliers"].any():
        raise ValueError(
            "stars with outliers (outlier_fraction > 0) break the Gaussian "
            "likelihood; simulate without outliers"
        )


def rrlyrae_feh_posterior(
    frame, truth, *, feh_scatter=0.2, method="exact", start="truth", n_grid=401
):
    """Posterior of each simulated star's relation value from its noisy light curve.

    For RRab stars made by :func:`make_rrlyrae`, the posterior of ``mu`` (the
    [Fe/H] the light-curve shape encodes, ``truth["feh_relation"]``) given the
    observed magnitudes. ``sqrt(feh_scatter**2 + mean(std**2))`` over a sample is
    its light-curve noise floor: the RMSE of the best possible estimate of ``y``,
    above the bare ``feh_scatter`` by what noise and sparse sampling hide.

    Parameters
    ----------
    frame : pandas.DataFrame
        The light-curve frame returned by :func:`make_rrlyrae` (``time``,
        ``mag``, ``mag_err``), with noise and without outliers.
    truth : pandas.DataFrame
        Its ``truth`` table, same index.
    feh_scatter : float, default=0.2
        The ``feh_scatter`` the stars were simulated with (it sets the prior of
        ``mu``), in [0, 0.3).
    method : {"exact", "laplace"}, default="exact"
        ``"exact"``: every other simulation variable is known (see Notes); the
        floor is a strict lower bound. ``"laplace"``: the shape variables are
        unknown too and marginalised (Gaussian approximation at the mode); the
        floor is an estimate of what the curves allow.
    start : {"truth", "blind"}, default="truth"
        Where ``"laplace"`` starts its search for the mode: the true variables
        (the mode nearest the truth), or 15 starts that use only the curve
        (see Notes), keeping the mode of highest posterior density. With
        ``"blind"``, ``mean`` is an estimate of ``mu`` that uses the light
        curve, period, epoch and number of harmonics only: a fit of the
        simulator's own light-curve model.
    n_grid : int, default=401
        Points of each of the two grids of ``"exact"``: the whole prior range of
        ``mu`` [-3, 0.2] first, then +-8 posterior standard deviations around
        the mean.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``frame``, columns ``mean`` and ``std`` of the posterior of
        ``mu``, dex (for ``"laplace"``, ``mean`` is the mode).

    Notes
    -----
    ``"exact"`` knows the period, peak-to-peak amplitude, R21, R31, the random
    parts of phi21 and phi41..phi61, the mean magnitude and the number of
    harmonics. Then the noiseless curve is a known function of ``mu`` (phi31
    follows ``mu`` through the Li et al. 2023 relation, phi21 and the higher
    phases follow phi31 as in the simulator), and the posterior is the
    simulator's own prior (the halo mixture, the period's dependence on ``mu``,
    the redraws of unphysical shapes) times the Gaussian likelihood of the
    magnitudes. Knowing more can only lower the smallest achievable expected
    squared error, so this floor bounds every estimator that sees the light
    curve, period and epoch.

    ``"laplace"`` knows only the period, the epoch and the number of harmonics:
    amplitude, R21, R31 and the four phase terms get the simulator's Gaussian
    conditionals as priors (their clips ignored), the mean magnitude a flat one
    (it is marginalised exactly). The mode is found by Levenberg-Marquardt from
    the true values, and the standard deviation of ``mu`` is read off the
    inverse Hessian. For sparse curves whose posterior has several modes this
    underestimates the spread, so the floor errs low. The blind starts put
    the amplitude at the observed peak-to-peak range, R21 and R31 at their
    conditional means, ``mu`` at -2.4, -1.8, -1.3, -0.8 or -0.3 and the phi21
    term at 0 or +-1.5.

    Both take the errors ``mag_err`` as given (that the simulator computes them
    from the noiseless magnitude is not used).

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.datasets import make_rrlyrae, rrlyrae_feh_posterior
    >>> frame, y, truth = make_rrlyrae(20, feh_scatter=0.2, random_state=0)
    >>> post = rrlyrae_feh_posterior(frame, truth, feh_scatter=0.2)
    >>> floor = np.sqrt(0.2**2 + np.mean(post["std"] ** 2))
    >>> bool(0.2 < floor < 0.3)
    True
    """
    _check(frame, truth, feh_scatter, method, start)
    if method == "exact":
        mean, std = _exact_posterior(frame, truth, feh_scatter, n_grid)
    else:
        mean, std = laplace_posterior(frame, truth, feh_scatter, start)
    return pd.DataFrame({"mean": mean, "std": std}, index=frame.index)
