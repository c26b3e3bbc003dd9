"""Vectorised least squares over many ragged light curves at once.

The transformers of :mod:`skrrl.preprocessing` never loop over stars in Python:
a frame is flattened into one array of epochs (:func:`skrrl.frame.to_ragged`) with
a star index per epoch, and per-star normal equations are accumulated with
``np.bincount`` and solved with stacked ``(n_stars, k, k)`` LAPACK calls.
"""

import numpy as np

#: Stars per chunk. Bounds memory: the stacked normal matrices of one chunk take
#: ``chunk * k * k * 8`` bytes.
CHUNK_STARS = 8192


def star_index(offsets):
    """Star number of every epoch of a ragged array.

    Parameters
    ----------
    offsets : ndarray of shape (n_stars + 1,)
        Boundaries as returned by :func:`skrrl.frame.to_ragged`.

    Returns
    -------
    ndarray of shape (n_epochs_total,), dtype int64
    """
    counts = np.diff(offsets)
    return np.repeat(np.arange(len(counts)), counts)


def chunks(offsets, size=CHUNK_STARS):
    """Yield ``(start, stop)`` star ranges of at most ``size`` stars.

    Parameters
    ----------
    offsets : ndarray of shape (n_stars + 1,)
        Ragged boundaries.
    size : int, default=CHUNK_STARS
        Stars per chunk.

    Yields
    ------
    start, stop : int
        Star range ``[start, stop)``.
    """
    n = len(offsets) - 1
    for start in range(0, n, size):
        yield start, min(start + size, n)


def check_n_harmonics(n_harmonics):
    """Raise a ValueError unless ``n_harmonics`` is a positive integer."""
    if not isinstance(n_harmonics, (int, np.integer)) or n_harmonics < 1:
        raise ValueError(f"n_harmonics must be a positive integer, got {n_harmonics!r}")


def fourier_design(phase, n_harmonics):
    """Columns ``1, cos 2πkφ, sin 2πkφ`` (k = 1..K) evaluated at ``phase``.

    Parameters
    ----------
    phase : ndarray of shape (n,)
        Phases (cycles).
    n_harmonics : int
        Number of harmonics K.

    Returns
    -------
    ndarray of shape (n, 2 * K + 1)
        Column 0 is the constant, then ``cos`` and ``sin`` of harmonic 1, 2, ...
    """
    k = np.arange(1, n_harmonics + 1)
    arg = 2.0 * np.pi * phase[:, None] * k
    out = np.empty((len(phase), 2 * n_harmonics + 1))
    out[:, 0] = 1.0
    out[:, 1::2] = np.cos(arg)
    out[:, 2::2] = np.sin(arg)
    return out


def normal_equations(phase, mag, weight, star, n_stars, n_harmonics):
    """Per-star weighted normal equations ``X^T W X`` and ``X^T W y`` of a Fourier fit.

    Parameters
    ----------
    phase, mag, weight : ndarray of shape (n_epochs_total,)
        Flattened phases, magnitudes and weights of all stars.
    star : ndarray of shape (n_epochs_total,)
        Star number (0 .. n_stars - 1) of each epoch.
    n_stars : int
        Number of stars.
    n_harmonics : int
        Number of harmonics K.

    Returns
    -------
    gram : ndarray of shape (n_stars, 2 * K + 1, 2 * K + 1)
    rhs : ndarray of shape (n_stars, 2 * K + 1)
        In the column order of :func:`fourier_design`.
    """
    X = fourier_design(phase, n_harmonics)
    k = X.shape[1]
    gram = np.empty((n_stars, k, k))
    for a in range(k):
        wa = weight * X[:, a]
        for b in range(a, k):
            gram[:, a, b] = gram[:, b, a] = np.bincount(
                star, wa * X[:, b], minlength=n_stars
            )
    rhs = np.stack(
        [
            np.bincount(star, weight * X[:, a] * mag, minlength=n_stars)
            for a in range(k)
        ],
        axis=1,
    )
    return gram, rhs


def fourier_fit(phase, mag, weight, star, n_stars, n_harmonics, ridge=1e-12):
    """Weighted least-squares Fourier series of every star, in one batch.

    Solves, per star, ``(X^T W X) c = X^T W y`` with X from :func:`fourier_design`.
    The normal matrices are accumulated with ``np.bincount`` over the upper
    triangle and solved with one stacked ``np.linalg.solve``; a ridge of
    ``ridge * trace / k`` keeps stars with gaps in phase solvable.

    Parameters
    ----------
    phase, mag, weight, star, n_stars, n_harmonics
        As in :func:`normal_equations`.
    ridge : float, default=1e-12
        Relative Tikhonov regularisation.

    Returns
    -------
    coef : ndarray of shape (n_stars, 2 * K + 1)
        ``[a0, a1, b1, a2, b2, ...]`` of ``a0 + sum a_k cos 2πkφ + b_k sin 2πkφ``.
    """
    G, rhs = normal_equations(phase, mag, weight, star, n_stars, n_harmonics)
    k = G.shape[1]
    trace = np.trace(G, axis1=1, axis2=2)
    G[:, np.arange(k), np.arange(k)] += ridge * trace[:, None] / k
    return np.linalg.solve(G, rhs[..., None])[..., 0]


def fourier_eval(coef, phase):
    """Evaluate Fourier series of :func:`fourier_fit` on a common phase grid.

    Parameters
    ----------
    coef : ndarray of shape (n_stars, 2 * K + 1)
        Coefficients.
    phase : ndarray of shape (n_points,)
        Phase grid.

    Returns
    -------
    ndarray of shape (n_stars, n_points)
    """
    n_harmonics = (coef.shape[1] - 1) // 2
    return coef @ fourier_design(phase, n_harmonics).T
