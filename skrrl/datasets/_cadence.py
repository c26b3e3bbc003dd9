"""Gaia-like observation times for simulated light curves (vectorised over stars).

Gaia spins every 6 h and its two fields of view (FoV) are 106.5 degrees apart, so a
source crossing the preceding FoV crosses the following one 106.5 min later, and
may be seen again one spin (6 h) later. The precessing scanning law brings it back
after days to weeks, with longer gaps when the scanning circles avoid it (Gaia DR3
documentation, EDR3 section 1.1.4). This module draws such "visits": groups of
1-6 transits at consecutive offsets of the sequence
``0, 106.5 min, 6 h, 6 h + 106.5 min, 12 h, ...`` (a few seen by one FoV only, 6 h
apart), separated by gaps of 10-40 d plus occasional seasonal gaps, spread over
the Gaia DR3 time span. The mix was tuned on real DR3 G-band transit times.
"""

import numpy as np

#: Gaia DR3 photometric time span, days (BJD_TCB - 2455197.5).
DR3_SPAN = (1666.4, 2704.4)
#: Most transits per star: beyond, visits no longer fit in the DR3 span.
MAX_EPOCHS = 1000
#: Time between the preceding and the following field of view, days.
FOV_LAG = 106.5 / 1440.0
#: Spin period of Gaia, days.
SPIN_PERIOD = 0.25

# Probabilities of 1-6 transits per visit, of a visit starting in the preceding
# FoV, and of a visit of 2-3 transits seen by one FoV only (6 h steps): matched to
# 518 real DR3 G light curves (Liu et al. 2020 sample), whose consecutive transits
# within a visit are 58 % 106.5 min, 33 % 253.5 min and 8.5 % 6 h apart.
_TRANSITS_PER_VISIT = np.array([0.33, 0.48, 0.07, 0.06, 0.03, 0.03])
_P_PRECEDING = 0.75
_P_ONE_FOV = 0.15
_MIN_SEPARATION = 0.8  # days kept between visit starts; a visit lasts < 0.7 d


def draw_n_epochs(n_stars, n_epochs, sigma, clip, rng):
    """Draw the number of epochs of every star.

    Parameters
    ----------
    n_stars : int
        Number of stars.
    n_epochs : int or array-like of shape (n_stars,)
        An int is the median of a lognormal of width ``sigma`` (natural log)
        clipped to ``clip``, widened to ``[min(clip[0], n_epochs),
        max(clip[1], 4 n_epochs)]``; with ``sigma=0`` every star gets exactly
        ``n_epochs``. An array gives the count of each star. At most
        :data:`MAX_EPOCHS`.
    sigma : float
        Lognormal width of the counts.
    clip : tuple of int
        Bounds of the lognormal draws.
    rng : numpy.random.RandomState
        Random generator.

    Returns
    -------
    ndarray of shape (n_stars,), dtype int64
    """
    if np.ndim(n_epochs) == 0:
        if isinstance(n_epochs, bool) or not float(n_epochs).is_integer():
            raise TypeError(f"n_epochs must be an int or an array, got {n_epochs!r}")
        if n_epochs < 1:
            raise ValueError(f"n_epochs must be >= 1, got {n_epochs}")
        if sigma < 0:
            raise ValueError(f"n_epochs_sigma must be >= 0, got {sigma}")
        if n_epochs > MAX_EPOCHS:
            raise ValueError(f"n_epochs must be <= {MAX_EPOCHS}, got {n_epochs}")
        if sigma == 0:
            return np.full(n_stars, int(n_epochs), dtype=np.int64)
        counts = np.rint(n_epochs * np.exp(sigma * rng.standard_normal(n_stars)))
        low, high = min(clip[0], n_epochs), min(max(clip[1], 4 * n_epochs), MAX_EPOCHS)
        return np.clip(counts, low, high).astype(np.int64)
    counts = np.asarray(n_epochs)
    if counts.shape != (n_stars,):
        raise ValueError(
            f"n_epochs as an array must have shape ({n_stars},), got {counts.shape}"
        )
    if (
        not np.issubdtype(counts.dtype, np.integer)
        or counts.min(initial=1) < 1
        or counts.max(initial=1) > MAX_EPOCHS
    ):
        raise ValueError(
            f"n_epochs as an array must hold integers in [1, {MAX_EPOCHS}]"
        )
    return counts.astype(np.int64)


def _within(values, starts):
    """Index of each element inside its group; groups begin at ``starts``."""
    index = np.arange(len(values))
    return index - np.repeat(starts, np.diff(np.r_[starts, len(values)]))


def gaia_like_times(counts, rng, span=DR3_SPAN):
    """Gaia-like transit times for many stars at once.

    Parameters
    ----------
    counts : ndarray of shape (n_stars,)
        Number of transits of each star.
    rng : numpy.random.RandomState
        Random generator.
    span : tuple of float, default=DR3_SPAN
        First and last possible time, days.

    Returns
    -------
    times : ndarray of shape (counts.sum(),)
        Strictly increasing times of each star, star after star.
    offsets : ndarray of shape (n_stars + 1,)
        Star ``i`` owns ``times[offsets[i]:offsets[i + 1]]``.

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.datasets._cadence import gaia_like_times
    >>> times, offsets = gaia_like_times(np.array([40, 12]), np.random.RandomState(0))
    >>> offsets
    array([ 0, 40, 52])
    >>> bool(np.all(np.diff(times[:40]) > 0)) and bool(times.min() >= 1666.4)
    True
    """
    counts = np.asarray(counts, dtype=np.int64)
    n_stars = len(counts)
    offsets = np.zeros(n_stars + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    width = span[1] - span[0] - _MIN_SEPARATION
    # A star never needs more visits than transits: draw that many visit sizes
    # and keep the visits that start before its count is reached.
    slot_star = np.repeat(np.arange(n_stars), counts)
    size = 1 + rng.choice(6, size=offsets[-1], p=_TRANSITS_PER_VISIT)
    done = np.cumsum(size)
    done -= np.repeat(done[offsets[:-1] - 1] * (offsets[:-1] > 0), counts)
    before = done - size
    keep = before < counts[slot_star]
    visit_star = slot_star[keep]
    visit_size = np.minimum(size[keep], counts[visit_star] - before[keep])
    n_visits = np.bincount(visit_star, minlength=n_stars)
    visit_first = np.zeros(n_stars, dtype=np.int64)
    np.cumsum(n_visits[:-1], out=visit_first[1:])

    # raw gaps: lognormal, median 33 d, 16-84 % 14-77 d (the real DR3 gaps are
    # 17/33/94 d); a star's visits are then stretched or squeezed to cover 85-100 %
    # of the span, the range of the real light curves.
    n_all = len(visit_star)
    gap = np.clip(33.0 * np.exp(0.85 * rng.standard_normal(n_all)), 8.0, 250.0)
    gap[visit_first[n_visits > 0]] = 0.0
    gap_sum = np.bincount(visit_star, weights=gap, minlength=n_stars)
    cover = rng.uniform(0.85, 1.0, n_stars) * width
    free = cover - _MIN_SEPARATION * np.maximum(n_visits - 1, 0)
    scale = np.divide(free, gap_sum, out=np.zeros(n_stars), where=gap_sum > 0)
    step = gap * scale[visit_star] + _MIN_SEPARATION
    step[visit_first[n_visits > 0]] = 0.0
    start = np.cumsum(step)
    start -= np.repeat(start[visit_first] - step[visit_first], n_visits)
    start += (span[0] + rng.uniform(size=n_stars) * (width - cover))[visit_star]

    # transits inside a visit: consecutive entries of 0, lag, spin, spin+lag, ...
    # starting at the preceding (0) or the following (lag) field of view, or,
    # for some short visits, one FoV on consecutive spins
    first_fov = (rng.uniform(size=n_all) > _P_PRECEDING).astype(np.int64)
    one_fov = (rng.uniform(size=n_all) < _P_ONE_FOV) & (visit_size <= 3)
    transit_visit = np.repeat(np.arange(n_all), visit_size)
    visit_offsets = np.zeros(n_all, dtype=np.int64)
    np.cumsum(visit_size[:-1], out=visit_offsets[1:])
    w = _within(transit_visit, visit_offsets)
    k = w + first_fov[transit_visit]
    offset = np.where(
        one_fov[transit_visit],
        w * SPIN_PERIOD,
        (k // 2) * SPIN_PERIOD + (k % 2) * FOV_LAG,
    )
    times = start[transit_visit] + offset
    return times, offsets
