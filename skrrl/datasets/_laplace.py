"""Laplace approximation of the posterior of mu with the shape marginalised.

The unknowns of a simulated RRab curve, given its period, epoch and number of
harmonics, are ``theta`` of :mod:`._shape_model` (mu, amplitude, R21, R31 and four
standard-normal phase terms) and the mean magnitude. The mean magnitude enters
linearly with a flat prior, so it is profiled out exactly (weighted mean of the
residuals). The rest gets the simulator's Gaussian conditionals and its prior of
mu; Levenberg-Marquardt on the Gauss-Newton Hessian finds the mode, and the
inverse Hessian at the mode gives the marginal variance of mu.
"""

import numpy as np

from skrrl.datasets._rrl_physics import (
    MU_RANGE,
    PTP_CLIP,
    PTP_SD,
    R21_CLIP,
    R21_SD,
    R31_MIN,
    R31_SD,
    ptp_mean,
    r21_mean,
    r31_mean,
)
from skrrl.datasets._shape_model import (
    N_THETA,
    curve,
    log_prior_mu_period,
    padded_curves,
    truth_theta,
)
from skrrl.frame import lengths

_CHUNK = 256  # stars fitted at once (sorted by epoch count: little padding)
_STEP = np.array([1e-4, 1e-4, 1e-4, 1e-4, 1e-3, 1e-3, 1e-3, 1e-3])  # differences
_ITERATIONS = 40
_BLIND_MU = (-2.4, -1.8, -1.3, -0.8, -0.3)  # blind starts across the halo prior


def _residuals(theta, star):
    """Whitened residuals: data (mean magnitude profiled out), then priors."""
    model = curve(theta, star["period"], star["n_harm"], star["phase"])
    w2 = star["inv_err"] ** 2
    offset = ((star["mag"] - model) * w2).sum(axis=1) / w2.sum(axis=1)
    data = (star["mag"] - model - offset[:, None]) * star["inv_err"]
    _, ptp, r21, r31 = theta[:, :4].T
    prior = np.column_stack(
        [
            (ptp - ptp_mean(star["period"])) / PTP_SD,
            (r21 - r21_mean(ptp)) / R21_SD,
            (r31 - r31_mean(r21)) / R31_SD,
            theta[:, 4:],
        ]
    )
    return np.concatenate([data, prior], axis=1)


def _mu_term(mu, star):
    """Minus the log prior of mu given the period."""
    return -log_prior_mu_period(mu, star["period"], star["scatter"])


def _objective(theta, star):
    return 0.5 * (_residuals(theta, star) ** 2).sum(axis=1) + _mu_term(
        theta[:, 0], star
    )


def _gradient_hessian(theta, star):
    """Gradient and Gauss-Newton Hessian of the negative log posterior."""
    resid = _residuals(theta, star)
    jac = np.empty((*resid.shape, N_THETA))
    for j, h in enumerate(_STEP):
        up, down = theta.copy(), theta.copy()
        up[:, j] += h
        down[:, j] -= h
        jac[..., j] = (_residuals(up, star) - _residuals(down, star)) / (2 * h)
    hess = np.einsum("nri,nrj->nij", jac, jac)
    grad = np.einsum("nri,nr->ni", jac, resid)
    mu, h = theta[:, 0], 1e-3
    f0, fu, fd = (_mu_term(m, star) for m in (mu, mu + h, mu - h))
    grad[:, 0] += (fu - fd) / (2 * h)
    hess[:, 0, 0] += np.maximum((fu - 2 * f0 + fd) / h**2, 0.0)
    return grad, hess


def _inside(theta):
    """Keep the parameters in the simulator's support."""
    theta[:, 0] = np.clip(theta[:, 0], *MU_RANGE)
    theta[:, 1] = np.clip(theta[:, 1], *PTP_CLIP)
    theta[:, 2] = np.clip(theta[:, 2], *R21_CLIP)
    theta[:, 3] = np.clip(theta[:, 3], R31_MIN, theta[:, 2])
    return theta


def _fit(theta, star):
    """Levenberg-Marquardt from theta; returns the mode and inverse Hessian."""
    damping = np.full(len(theta), 1e-3)
    value = _objective(theta, star)
    for _ in range(_ITERATIONS):
        grad, hess = _gradient_hessian(theta, star)
        diag = np.einsum("nii->ni", hess) + 1e-9
        lhs = hess + damping[:, None, None] * np.einsum(
            "ni,ij->nij", diag, np.eye(N_THETA)
        )
        trial = _inside(theta - np.linalg.solve(lhs, grad[..., None])[..., 0])
        new = _objective(trial, star)
        better = new < value
        theta = np.where(better[:, None], trial, theta)
        value = np.where(better, new, value)
        damping = np.where(better, damping / 3, damping * 5)
    _, hess = _gradient_hessian(theta, star)
    return theta, np.linalg.inv(hess)


def _blind_starts(frame, rows):
    """Starting points that use only the curves: a grid of mu and phi21 terms.

    The amplitude starts at the observed peak-to-peak range, R21 and R31 at
    their conditional means; mu at five values across the halo prior and the
    phi21 term at 0 and +-1.5 (phi21 decides between local modes most often).
    """
    ptp = np.array([np.ptp(mag) for mag in frame["mag"].iloc[rows]])
    base = np.zeros((len(rows), N_THETA))
    base[:, 1] = np.clip(ptp, *PTP_CLIP)
    base[:, 2] = np.clip(r21_mean(base[:, 1]), *R21_CLIP)
    base[:, 3] = np.clip(r31_mean(base[:, 2]), R31_MIN, base[:, 2])
    for mu in _BLIND_MU:
        for e21 in (0.0, 1.5, -1.5):
            start = base.copy()
            start[:, 0], start[:, 4] = mu, e21
            yield start


def laplace_posterior(frame, truth, scatter, start="truth"):
    """Mode and marginal standard deviation of mu of every star.

    ``start="truth"`` starts from the true variables (the mode of the truth's
    basin); ``"blind"`` from the starts of ``_blind_starts`` and keeps the mode of
    highest posterior density.
    """
    theta0 = truth_theta(truth)
    period = truth["period"].to_numpy(float)
    n_harm = truth["n_harmonics"].to_numpy()
    mode, std = np.empty(len(frame)), np.empty(len(frame))
    order = np.argsort(lengths(frame), kind="stable")
    for lo in range(0, len(order), _CHUNK):
        rows = order[lo : lo + _CHUNK]
        phase, mag, inv_err = padded_curves(frame, truth, rows)
        star = {
            "period": period[rows],
            "n_harm": n_harm[rows],
            "phase": phase,
            "mag": mag,
            "inv_err": inv_err,
            "scatter": scatter,
        }
        starts = (
            [theta0[rows].copy()] if start == "truth" else _blind_starts(frame, rows)
        )
        best = np.full(len(rows), np.inf)
        for theta in starts:
            theta, cov = _fit(theta, star)
            value = _objective(theta, star)
            better = value < best
            best[better] = value[better]
            mode[rows[better]] = theta[better, 0]
            std[rows[better]] = np.sqrt(cov[better, 0, 0])
    return mode, std
