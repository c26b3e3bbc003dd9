"""Batched penalised cubic regression splines with per-star GCV.

The numerical core of :class:`~skrrl.preprocessing.SplineResampler`: uniform
cubic B-splines on [0, 1] (periodic or open), the exact integrated squared
second-derivative penalty, normal equations of many ragged curves accumulated
with ``np.bincount``, and a Demmler-Reinsch decomposition per star that gives the
GCV score of every smoothing parameter in O(p).
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from skrrl.preprocessing._batched import chunks, star_index

#: GCV search: a coarse grid of relative smoothing parameters, then a finer grid
#: between the neighbours of the coarse minimum.
_LOG_RHO = np.linspace(-4.0, 5.0, 28)
_N_REFINE = 17

#: Relative ridge that keeps the Gram matrix of stars with phase gaps (or fewer
#: epochs than basis functions) positive definite; the roughness penalty, not
#: the ridge, fills such gaps.
_RIDGE = 1e-9


def _cubic_pieces(u):
    """Values of the four cubic B-splines that are non-zero on a knot interval."""
    out = np.empty((len(u), 4))
    v = 1.0 - u
    u2 = u * u
    u3 = u2 * u
    out[:, 0] = v * v * v / 6.0
    out[:, 1] = 0.5 * u3 - u2 + 2.0 / 3.0
    out[:, 2] = -0.5 * u3 + 0.5 * u2 + 0.5 * u + 1.0 / 6.0
    out[:, 3] = u3 / 6.0
    return out


def bspline_basis(x, n_knots, periodic):
    """Sparse cubic B-spline basis on ``n_knots`` uniform intervals of [0, 1].

    Parameters
    ----------
    x : ndarray of shape (n,)
        Phases in [0, 1].
    n_knots : int
        Number of knot intervals K.
    periodic : bool
        Periodic basis (K functions, wrapping at 1) or uniform B-splines
        extended beyond [0, 1] (K + 3 functions).

    Returns
    -------
    index : ndarray of shape (n, 4), dtype int64
        Columns of the four non-zero basis functions at each ``x``.
    value : ndarray of shape (n, 4)
        Their values.
    """
    s = x * n_knots
    j = np.minimum(np.floor(s).astype(np.int64), n_knots - 1)
    value = _cubic_pieces(s - j)
    index = j[:, None] + np.arange(4)
    if periodic:
        index = (index - 3) % n_knots
    return index, value


def roughness_penalty(n_knots, periodic):
    """Matrix of ``∫ f''(x)^2 dx`` over [0, 1] for the basis of `bspline_basis`.

    On a knot interval ``f''`` is linear with end values equal to second
    differences of the four coefficients (times K^2), so the integral is the
    exact quadratic form below (up to the constant K^3, absorbed in λ).

    Parameters
    ----------
    n_knots : int
        Number of knot intervals K.
    periodic : bool
        As in :func:`bspline_basis`.

    Returns
    -------
    ndarray of shape (p, p)
    """
    p = n_knots if periodic else n_knots + 3
    P = np.zeros((p, p))
    for j in range(n_knots):
        idx = j + np.arange(4)
        if periodic:
            idx = (idx - 3) % n_knots
        d0, d1 = np.zeros(p), np.zeros(p)
        np.add.at(d0, idx[:3], [1.0, -2.0, 1.0])
        np.add.at(d1, idx[1:], [1.0, -2.0, 1.0])
        P += (np.outer(d0, d0) + np.outer(d1, d1)) / 3.0
        P += (np.outer(d0, d1) + np.outer(d1, d0)) / 6.0
    return P


def _gcv(log_rho, scale, s, z2, rss0, n, gamma):
    """GCV score of every star at relative smoothing ``10**log_rho``."""
    ls = (10.0**log_rho * scale)[:, None] * s
    tr = (1.0 / (1.0 + ls)).sum(axis=1)
    rss = rss0 + (z2 * (ls / (1.0 + ls)) ** 2).sum(axis=1)
    # Craven & Wahba (1979) V = n RSS / (n - tr S)^2 (gamma = 1); at least one
    # residual degree of freedom is kept so few-epoch stars cannot interpolate
    resid = n - gamma * tr
    return np.where(resid >= 1.0, n * rss / np.maximum(resid, 1.0) ** 2, np.inf)


def _normal_equations(s_loc, idx, val, weight, y, m, p):
    """Stacked B'WB, B'Wy and y'Wy of ``m`` stars from the sparse basis.

    B'WB is banded (cyclically for the periodic basis): entry (c, c + d) only
    collects products of basis functions a and a + d of the same epoch, so each
    of the four bands d = 0..3 is one ``bincount`` of length ``m * p``.
    """
    G = np.zeros((m, p, p))
    cols = np.arange(p)
    base = s_loc * p
    for d in range(4):
        a = np.arange(4 - d)
        flat = (base[:, None] + idx[:, a]).ravel()
        wts = (weight[:, None] * val[:, a] * val[:, a + d]).ravel()
        band = np.bincount(flat, wts, minlength=m * p).reshape(m, p)
        # (c + d) % p: no wrap for the open basis, whose index c + d stays < p
        G[:, cols, (cols + d) % p] += band
        if d:
            G[:, (cols + d) % p, cols] += band
    wy = weight * y
    rhs = np.bincount(
        (base[:, None] + idx).ravel(), (val * wy[:, None]).ravel(), minlength=m * p
    ).reshape(m, p)
    yy = np.bincount(s_loc, wy * y, minlength=m)
    return G, rhs, yy


def _smooth_chunk(G, rhs, yy, n, P, lam, gamma):
    """Coefficients, log10 relative λ and edf of one chunk of stars.

    Demmler-Reinsch: with G = LL' and L^-1 P L^-T = U diag(s) U', the smoother
    is S(λ) = Q diag(d) Q' with Q'WQ = I and d_j = 1 / (1 + λ s_j), so for every
    λ: tr S = Σ d_j and RSS = RSS_0 + Σ z_j² (1 - d_j)², where z = U'L^-1 B'Wy
    and RSS_0 = y'Wy - Σ z_j² is the residual of the unpenalised fit (Wood 2017,
    sections 4.2 and 5.3). Written this way nothing cancels near interpolation.
    """
    m, p = rhs.shape
    trace_g = np.trace(G, axis1=1, axis2=2)
    G[:, np.arange(p), np.arange(p)] += _RIDGE * trace_g[:, None] / p
    Linv = np.linalg.inv(np.linalg.cholesky(G))
    M = Linv @ P @ Linv.transpose(0, 2, 1)
    # unit-scaled, with entries below eigh's precision zeroed: LAPACK's eigh is
    # slow on strongly graded matrices (poorly covered edge functions of the
    # open basis)
    m_scale = np.abs(M).max(axis=(1, 2))[:, None]
    M /= m_scale[:, :, None]
    M[np.abs(M) < 1e-15] = 0.0
    s, U = np.linalg.eigh(M)
    s = np.maximum(s, 0.0) * m_scale
    z = np.einsum("nji,nj->ni", U, np.einsum("nij,nj->ni", Linv, rhs))
    z2 = z * z
    args = (trace_g / np.trace(P), s, z2, np.maximum(yy - z2.sum(axis=1), 0.0), n)
    if lam is None:
        scores = np.stack([_gcv(np.full(m, lr), *args, gamma) for lr in _LOG_RHO], 1)
        step = _LOG_RHO[1] - _LOG_RHO[0]
        cand = _LOG_RHO[np.argmin(scores, axis=1)][:, None] + np.linspace(
            -step, step, _N_REFINE
        )
        scores = np.stack([_gcv(c, *args, gamma) for c in cand.T], axis=1)
        log_rho = cand[np.arange(m), np.argmin(scores, axis=1)]
    else:
        log_rho = np.full(m, np.log10(lam))
    d = 1.0 / (1.0 + (10.0**log_rho * args[0])[:, None] * s)
    coef = np.einsum("nji,nj->ni", Linv, np.einsum("nij,nj->ni", U, d * z))
    return coef, log_rho, d.sum(axis=1)


def smooth_batch(
    phase, y, weight, offsets, grid, n_knots, periodic, lam=None, gamma=1.0, n_jobs=1
):
    """GCV penalised-spline fit of many curves, evaluated on a common grid.

    Parameters
    ----------
    phase, y, weight : ndarray of shape (n_epochs_total,)
        Flattened phases in [0, 1), centred magnitudes and weights (mean 1 per
        star).
    offsets : ndarray of shape (n_stars + 1,)
        Ragged boundaries.
    grid : ndarray of shape (n_points,)
        Evaluation phases.
    n_knots : int
        Knot intervals of the cubic B-spline basis.
    periodic : bool
        Periodic basis.
    lam : float, default=None
        Relative smoothing parameter; ``None`` chooses it per star by GCV.
    gamma : float, default=1.0
        Degree-of-freedom inflation of the GCV score.
    n_jobs : int, default=1
        Threads working on chunks of stars.

    Returns
    -------
    curve : ndarray of shape (n_stars, n_points)
        Smoothed curves on ``grid``.
    log_rho : ndarray of shape (n_stars,)
        log10 of the relative smoothing parameter used.
    edf : ndarray of shape (n_stars,)
        Effective degrees of freedom, ``tr S(λ)``.
    """
    n_stars = len(offsets) - 1
    p = n_knots if periodic else n_knots + 3
    P = roughness_penalty(n_knots, periodic)
    g_idx, g_val = bspline_basis(grid, n_knots, periodic)
    E = np.zeros((len(grid), p))
    np.add.at(E, (np.arange(len(grid))[:, None], g_idx), g_val)
    star = star_index(offsets)
    idx, val = bspline_basis(phase, n_knots, periodic)
    counts = np.diff(offsets).astype(np.float64)
    curve = np.empty((n_stars, len(grid)))
    log_rho = np.empty(n_stars)
    edf = np.empty(n_stars)

    def work(bounds):
        start, stop = bounds
        lo, hi = offsets[start], offsets[stop]
        G, rhs, yy = _normal_equations(
            star[lo:hi] - start,
            idx[lo:hi],
            val[lo:hi],
            weight[lo:hi],
            y[lo:hi],
            stop - start,
            p,
        )
        coef, log_rho[start:stop], edf[start:stop] = _smooth_chunk(
            G, rhs, yy, counts[start:stop], P, lam, gamma
        )
        curve[start:stop] = coef @ E.T

    # chunks write disjoint rows; numpy's LAPACK calls release the GIL, so
    # threads run the batched decompositions in parallel
    parts = list(chunks(offsets, max(256, 2_000_000 // (p * p))))
    # one BLAS thread per worker: the work is many small products, and
    # OpenBLAS threads spinning on them cost more CPU than they save (measured
    # 4 s vs up to 110 s CPU for 40,000 curves on a busy 2-core machine)
    with threadpool_limits(limits=1, user_api="blas"):
        if n_jobs > 1 and len(parts) > 1:
            with ThreadPoolExecutor(max_workers=n_jobs) as pool:
                list(pool.map(work, parts))
        else:
            for bounds in parts:
                work(bounds)
    return curve, log_rho, edf
