"""Physics of the RR Lyrae simulator: distributions, relations and noise.

Numbers and their sources: ``gaia-rrl-physics.md`` sections 3.2-3.5 of the project
reference (OGLE-III period and shape statistics, Gaia DR2 G-band Fourier fits of
Dekany & Grebel 2022, the Li et al. 2023 Gaia G-band [Fe/H] relations, the DR3
per-epoch noise envelope). Used by :func:`skrrl.datasets.make_rrlyrae`.
"""

import numpy as np

N_HARMONICS = 6


def li2023_feh(kind, period, phi31, r21):
    """[Fe/H] from the Li et al. (2023) Gaia G-band relations.

    RRab: ``-1.888 - 5.772 (P - 0.6) + 1.090 (phi31 - 2.0) + 1.065 (R21 - 0.45)``;
    RRc: ``-1.737 - 9.968 (P1 - 0.3) - 5.041 (R21 - 0.2)``; ``phi31`` in the
    cosine convention, radians. These coefficients define the simulator's truth.

    Parameters
    ----------
    kind : array-like of str
        ``"RRab"`` or ``"RRc"`` per star.
    period, phi31, r21 : array-like of shape (n_stars,)
        Period (days), phi31 (cosine, rad) and R21; phi31 is ignored for RRc.

    Returns
    -------
    ndarray of shape (n_stars,)
    """
    ab = np.asarray(kind) == "RRab"
    period, phi31, r21 = (np.asarray(a, dtype=float) for a in (period, phi31, r21))
    feh_ab = -1.888 - 5.772 * (period - 0.6) + 1.090 * (phi31 - 2.0)
    feh_ab += 1.065 * (r21 - 0.45)
    feh_c = -1.737 - 9.968 * (period - 0.3) - 5.041 * (r21 - 0.2)
    return np.where(ab, feh_ab, feh_c)


def gaia_sigma(mag, jitter):
    """Per-epoch G error: DR3 envelope (gaia-rrl-physics.md 3.5) plus jitter."""
    rel = 10.0 ** np.maximum(0.25 * (mag - 20.0) - 1.6, -3.2)
    return np.sqrt((1.0857 * rel) ** 2 + jitter**2)


#: Halo prior of [Fe/H] (gaia-rrl-physics.md 3.4): (weight, centre, sd) of each
#: Gaussian component; relation values mu are truncated to MU_RANGE
HALO_PRIOR = ((0.9, -1.5, 0.45), (0.1, -0.6, 0.3))
MU_RANGE = (-3.0, 0.2)


def draw_mu(n, scatter, rng):
    """Relation values mu such that mu + N(0, scatter) follows the halo prior.

    The prior 0.9 N(-1.5, 0.45) + 0.1 N(-0.6, 0.3) (gaia-rrl-physics.md 3.4) is
    deconvolved by the scatter, so [Fe/H] = mu + N(0, scatter) follows it while
    mu carries all the light-curve information. mu is truncated to [-3.0, 0.2]
    by redrawing (within its component).
    """
    (_, halo_centre, halo_sd), (disc_weight, disc_centre, disc_sd) = HALO_PRIOR
    disc = rng.uniform(size=n) < disc_weight
    centre = np.where(disc, disc_centre, halo_centre)
    width = np.sqrt(np.maximum(np.where(disc, disc_sd, halo_sd) ** 2 - scatter**2, 0.0))
    mu = centre + width * rng.standard_normal(n)
    low, high = MU_RANGE
    bad = (mu < low) | (mu > high)
    while bad.any():
        mu[bad] = centre[bad] + width[bad] * rng.standard_normal(bad.sum())
        bad = (mu < low) | (mu > high)
    return mu


def _p_median(median, mu):
    """Period median given mu: ln P falls by 0.086 per dex of [Fe/H].

    Metal-poor RR Lyrae pulsate longer (Oosterhoff dichotomy, <P_ab> 0.55 d in
    OoI and 0.64 d in OoII). The slope gives corr(ln P, [Fe/H]) = -0.3, as in the
    Liu et al. (2020) x Gaia DR3 RRab (-0.25 with their noisy labels), and keeps
    the marginal period spread (0.128 in ln P around it, 0.134 in all).
    """
    return median * np.exp(-0.086 * (mu + 1.41))


def lognormal(median, sigma, n, low, high, rng):
    return np.clip(median * np.exp(sigma * rng.standard_normal(n)), low, high)


# RRab shape conditionals (gaia-rrl-physics.md 3.2): Gaussian means and widths
# before the clips of shape_ab; also the prior of skrrl.datasets._shape_model
PTP_SD, R21_SD, R31_SD = 0.17, 0.073, 0.06
# phi21 = 3.53 + 0.29 phi31 + N(0, 0.22); phi_k1 = phi31 - 1.94 (k - 3) + N(0, 0.15)
PHI21_LINE, PHI21_SD = (3.53, 0.29), 0.22
PHI_STEP, PHI_TAIL_SD = -1.94, 0.15
# RRab period: lognormal about _p_median(P_MEDIAN_AB, mu), clipped; the clips of
# the amplitude, R21 and R31; shape_ab redraws stars whose phi31 leaves its range
P_MEDIAN_AB, P_SIGMA_AB, P_CLIP_AB = 0.567, 0.128, (0.3, 1.0)
PTP_CLIP, R21_CLIP, R31_MIN = (0.15, 1.4), (0.15, 0.8), 0.03
PHI31_RANGE = (0.3, 4.7)


def ptp_mean(period):
    return 0.70 - 1.5 * (period - 0.567)


def r21_mean(ptp):
    return 0.48 + 0.25 * (ptp - 0.70)


def r31_mean(r21):
    return -0.12 + 0.87 * r21


def phi31_ab(mu, period, r21):
    """phi31 that solves the Li et al. (2023) RRab relation for mu."""
    return 2.0 + (mu + 1.888 + 5.772 * (period - 0.6) - 1.065 * (r21 - 0.45)) / 1.090


def ab_first_draw(mu, z):
    """Period, peak-to-peak amplitude and R21 of RRab from standard normals.

    ``z`` holds three standard-normal arrays (period, amplitude, R21). The draw
    is kept only if ``phi31_ab(mu, period, r21)`` lies in ``PHI31_RANGE``.
    """
    period = np.clip(_p_median(P_MEDIAN_AB, mu) * np.exp(P_SIGMA_AB * z[0]), *P_CLIP_AB)
    ptp = np.clip(ptp_mean(period) + PTP_SD * z[1], *PTP_CLIP)
    r21 = np.clip(r21_mean(ptp) + R21_SD * z[2], *R21_CLIP)
    return period, ptp, r21


def ab_harmonics(r21, r31, phi31, e21, e_tail):
    """Amplitude ratios R_k1 and phases phi_k1 of RRab, shape (n, 6) each.

    ``e21`` and the three rows of ``e_tail`` are the standard-normal terms of
    phi21 and of phi41, phi51, phi61.
    """
    n = len(r21)
    ratio = np.column_stack([np.ones(n), r21, r31, np.zeros((n, N_HARMONICS - 3))])
    phi21 = PHI21_LINE[0] + PHI21_LINE[1] * phi31 + PHI21_SD * e21
    phase = np.column_stack([np.zeros(n), phi21, phi31, np.zeros((n, 3))])
    # higher harmonics: geometric decay of R_k1 and a linear progression of phi_k1,
    # the pattern of a skewed sawtooth (a pure sawtooth has R_k1 = 1/k)
    # (median phi31 - phi21 = -1.94 rad in the DR2 G fits)
    decay = 0.75 * np.clip(r31 / r21, 0.3, 0.8)
    for k in range(4, N_HARMONICS + 1):
        ratio[:, k - 1] = r31 * decay ** (k - 3)
        phase[:, k - 1] = phi31 + PHI_STEP * (k - 3) + PHI_TAIL_SD * e_tail[k - 4]
    return ratio, phase


def shape_ab(mu, scatter, rng):
    """Period, peak-to-peak amplitude and Fourier shape of RRab stars.

    P: OGLE-III RRab (p5/p50/p95 = 0.453/0.567/0.705 d), metal-poor stars
    pulsating longer (see ``_p_median``); amplitude and R21,
    R31, phi21 conditionals from Gaia DR2 G fits (gaia-rrl-physics.md 3.2);
    phi31 solves the Li+2023 relation for mu. Stars whose phi31 would fall
    outside [0.3, 4.7] rad get a new period.
    """
    n = len(mu)
    period, ptp, r21, phi31 = (np.empty(n) for _ in range(4))
    todo = np.ones(n, dtype=bool)
    while todo.any():
        z = [rng.standard_normal(todo.sum()) for _ in range(3)]
        period[todo], ptp[todo], r21[todo] = ab_first_draw(mu[todo], z)
        phi31[todo] = phi31_ab(mu[todo], period[todo], r21[todo])
        todo = (phi31 < PHI31_RANGE[0]) | (phi31 > PHI31_RANGE[1])
    r31 = np.clip(r31_mean(r21) + R31_SD * rng.standard_normal(n), R31_MIN, r21)
    e21 = rng.standard_normal(n)
    e_tail = [rng.standard_normal(n) for _ in range(N_HARMONICS - 3)]
    ratio, phase = ab_harmonics(r21, r31, phi31, e21, e_tail)
    n_harm = rng.randint(4, 7, n)
    return mu, period, ptp, ratio, phase, n_harm


def shape_c(mu, scatter, rng):
    """Period, amplitude and Fourier shape of RRc (first-overtone) stars.

    P1: OGLE-III RRc (0.258/0.322/0.399 d); R21 solves the Li+2023 RRc relation
    for mu (stars whose R21 would leave [0.02, 0.45] get a new period, so
    metal-rich RRc have shorter periods, and after 10 tries a new mu, so the
    most metal-rich RRc are rarer than in the prior); R31, phi21, phi31 from
    OGLE-III RRc medians; amplitude from OGLE I scaled to G (x1.3).
    """
    n = len(mu)
    period, r21 = np.empty(n), np.empty(n)
    todo = np.ones(n, dtype=bool)
    mu, tries = mu.copy(), 0
    while todo.any():
        m = todo.sum()
        if tries >= 10:  # no valid period for this mu (metal-rich tail): new mu
            mu[todo] = draw_mu(m, scatter, rng)
        period[todo] = lognormal(0.322, 0.1325, m, 0.2, 0.5, rng)
        r21[todo] = 0.2 + (-1.737 - 9.968 * (period[todo] - 0.3) - mu[todo]) / 5.041
        todo = (r21 < 0.02) | (r21 > 0.45)
        tries += 1
    ptp = np.clip(0.33 + 0.075 * rng.standard_normal(n), 0.12, 0.6)
    r31 = np.clip(0.54 * r21 + 0.02 * rng.standard_normal(n), 0.005, r21)
    phi21 = 4.87 + 0.3 * rng.standard_normal(n)
    phi31 = 3.79 + 0.6 * rng.standard_normal(n)
    ratio = np.column_stack([np.ones(n), r21, r31, np.zeros((n, N_HARMONICS - 3))])
    phase = np.column_stack([np.zeros(n), phi21, phi31, np.zeros((n, 3))])
    return mu, period, ptp, ratio, phase, rng.randint(2, 4, n)
