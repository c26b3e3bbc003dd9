"""The simulated RRab light curve as a function of its random variables.

``shape_ab`` and ``_simulate_chunk`` draw, per star, the relation value ``mu``, the
period, the peak-to-peak amplitude, R21, R31, a standard-normal term of phi21 and
one of each higher phase, the number of harmonics and the mean magnitude. This
module rebuilds the noiseless curve from those variables (``theta``) and holds the
simulator's prior densities, for the posteriors of :mod:`._posterior`.
"""

import functools

import numpy as np
from scipy.special import log_ndtr, ndtr

from skrrl.datasets._rrl_physics import (
    HALO_PRIOR,
    MU_RANGE,
    N_HARMONICS,
    P_CLIP_AB,
    P_MEDIAN_AB,
    P_SIGMA_AB,
    PHI21_LINE,
    PHI21_SD,
    PHI31_RANGE,
    PHI_STEP,
    PHI_TAIL_SD,
    _p_median,
    ab_first_draw,
    ab_harmonics,
    phi31_ab,
)
from skrrl.datasets._simulate import _TWO_PI, _normalise
from skrrl.frame import to_ragged

# theta columns: mu, peak-to-peak amplitude, R21, R31, then the standard-normal
# terms of phi21 (sd 0.22 rad) and of phi41, phi51, phi61 (sd 0.15 rad)
N_THETA = 8


def _wrap(angle):
    return np.mod(angle + np.pi, _TWO_PI) - np.pi


def truth_theta(truth):
    """theta of every star of a ``make_rrlyrae`` truth table, shape (n, 8)."""
    n_harm = truth["n_harmonics"].to_numpy()
    phases = np.stack(truth["phases"].to_numpy())
    k = np.arange(1, N_HARMONICS + 1)
    relative = phases - k * phases[:, :1]  # phi_k1, invariant under the shift
    phi31 = truth["phi31"].to_numpy(float)
    theta = np.zeros((len(truth), N_THETA))
    theta[:, 0] = truth["feh_relation"]
    theta[:, 1] = truth["amplitude"]
    theta[:, 2] = truth["R21"]
    theta[:, 3] = truth["R31"]
    line = PHI21_LINE[0] + PHI21_LINE[1] * phi31
    theta[:, 4] = _wrap(relative[:, 1] - line) / PHI21_SD
    for k in (4, 5, 6):
        tie = _wrap(relative[:, k - 1] - phi31 - PHI_STEP * (k - 3)) / PHI_TAIL_SD
        theta[:, k + 1] = np.where(n_harm >= k, tie, 0.0)
    return theta


def curve(theta, period, n_harm, phase):
    """Noiseless magnitudes minus the mean magnitude.

    Parameters
    ----------
    theta : ndarray of shape (..., 8)
    period, n_harm : ndarray broadcastable to ``theta.shape[:-1]``
    phase : ndarray of shape (..., n_epochs)
        Phases from the epoch of maximum light, cycles; broadcast against the
        leading dimensions of ``theta``.

    Returns
    -------
    ndarray of shape ``theta.shape[:-1] + (n_epochs,)``
    """
    lead = theta.shape[:-1]
    mu, ptp, r21, r31, e21, e4, e5, e6 = (a.ravel() for a in np.moveaxis(theta, -1, 0))
    period = np.broadcast_to(period, lead).ravel()
    ratio, phase_k = ab_harmonics(
        r21, r31, phi31_ab(mu, period, r21), e21, (e4, e5, e6)
    )
    n_harm = np.broadcast_to(n_harm, lead).ravel()
    ratio[np.arange(N_HARMONICS) >= n_harm[:, None]] = 0.0
    amp, phase_k = _normalise(ratio, phase_k, ptp)
    coef = (amp * np.exp(1j * phase_k)).reshape(*lead, 1, N_HARMONICS)
    z = np.exp(1j * _TWO_PI * np.asarray(phase))
    out = np.zeros(np.broadcast_shapes(lead + (1,), z.shape), dtype=complex)
    for k in range(N_HARMONICS, 0, -1):  # Horner in z
        out = (out + coef[..., k - 1]) * z
    return out.real


def padded_curves(frame, truth, rows):
    """Phases, magnitudes and inverse errors of some stars, zero-padded."""
    part = frame.iloc[rows]
    time, offsets = to_ragged(part, "time")
    star = np.repeat(np.arange(len(rows)), np.diff(offsets))
    slot = np.arange(len(time)) - offsets[star]  # position within the star
    epoch = truth["epoch"].to_numpy(float)[rows]
    period = truth["period"].to_numpy(float)[rows]
    phase, mag, inv_err = (np.zeros((len(rows), slot.max() + 1)) for _ in range(3))
    phase[star, slot] = np.mod((time - epoch[star]) / period[star], 1.0)
    mag[star, slot] = to_ragged(part, "mag")[0]
    inv_err[star, slot] = 1.0 / to_ragged(part, "mag_err")[0]
    return phase, mag, inv_err


def log_prior_mu(mu, scatter):
    """Log density of draw_mu: a two-component mixture, each truncated separately."""
    low, high = MU_RANGE
    density = np.zeros(np.shape(mu))
    for weight, centre, sd in HALO_PRIOR:
        width = np.sqrt(sd**2 - scatter**2)
        mass = ndtr((high - centre) / width) - ndtr((low - centre) / width)
        z = (mu - centre) / width
        density += weight * np.exp(-0.5 * z**2) / (width * np.sqrt(_TWO_PI) * mass)
    return np.log(density)


def log_period_density(period, mu):
    """Log density of the clipped lognormal period given mu (atoms at the clips)."""
    z = (np.log(period) - np.log(_p_median(P_MEDIAN_AB, mu))) / P_SIGMA_AB
    inside = -0.5 * z**2 - np.log(P_SIGMA_AB * period * np.sqrt(_TWO_PI))
    return np.where(
        period <= P_CLIP_AB[0],
        log_ndtr(z),
        np.where(period >= P_CLIP_AB[1], log_ndtr(-z), inside),
    )


@functools.cache
def _acceptance_table(n_draws=200_000):
    """Probability that shape_ab's first draw of (P, ptp, R21) is kept, on a mu grid.

    shape_ab redraws the period, amplitude and R21 of a star until phi31 is
    physical; the kept draw then has the first draw's density divided by this
    probability. Monte Carlo with common random numbers, so it is smooth in mu.
    """
    rng = np.random.default_rng(0)
    z = rng.standard_normal((3, n_draws))
    grid = np.linspace(*MU_RANGE, 161)
    accept = np.empty(len(grid))
    for i, m in enumerate(grid):
        period, _, r21 = ab_first_draw(m, z)
        phi31 = phi31_ab(m, period, r21)
        accept[i] = np.mean((phi31 >= PHI31_RANGE[0]) & (phi31 <= PHI31_RANGE[1]))
    return grid, np.log(np.maximum(accept, 1.0 / n_draws))


def log_acceptance(mu):
    """Log probability that a star of relation value mu keeps its first shape draw."""
    return np.interp(mu, *_acceptance_table())


def log_prior_mu_period(mu, period, scatter):
    """Log prior of mu given the period, up to a constant."""
    return (
        log_prior_mu(mu, scatter) + log_period_density(period, mu) - log_acceptance(mu)
    )
