"""SplineResampler: batched GCV smoothing splines on a fixed phase grid."""

from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real

import numpy as np
import pandas as pd
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from skrrl.frame import to_ragged, validate_frame
from skrrl.preprocessing._batched import chunks, star_index
from skrrl.utils._docstring import Substitution, _n_jobs_docstring

_CHANNELS = ("phase_time", "phase", "mag", "mag_raw")

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


@Substitution(n_jobs=_n_jobs_docstring)
class SplineResampler(TransformerMixin, BaseEstimator):
    """Smooth every folded light curve by GCV and resample it on a fixed grid.

    Each star's magnitudes are fitted, as a function of phase, by a penalised
    cubic regression spline (uniform knots, exact ``∫ f''(φ)² dφ`` roughness
    penalty) whose smoothing parameter is chosen per star by generalised
    cross-validation, then evaluated on the grid ``φ_j = j / n_points``,
    ``j = 0 .. n_points - 1`` (phase 0 included, phase 1 excluded: it is phase 0
    again). All stars are fitted together with stacked linear algebra; there is
    no per-star Python loop.

    Parameters
    ----------
    n_points : int, default=264
        Grid size (Monti et al. 2024 used 264 for RRab and 265 for RRc).
    channels : tuple of str, default=("phase_time", "mag")
        Output channels, in order, from ``"phase_time"`` (grid phase x period,
        days), ``"phase"`` (grid phase), ``"mag"`` (smoothed magnitude minus the
        star's mean magnitude, see ``center``) and ``"mag_raw"`` (smoothed
        magnitude).
    n_knots : int, default=32
        Knot intervals of the cubic B-spline basis on [0, 1] (the basis has
        ``n_knots`` functions, periodic, or ``n_knots + 3``). Enough to follow
        the steep RRab rise (~0.1 in phase); the cost per star grows as
        ``n_knots**3``.
    periodic : bool, default=True
        Periodic spline (value, slope and curvature continuous across phase
        1 -> 0). Otherwise an open spline on [0, 1] whose penalty leaves
        straight lines unpenalised.
    gamma : float, default=1.2
        Degree-of-freedom inflation of the GCV score
        ``V(λ) = n RSS(λ) / (n - gamma tr S(λ))²``; ``gamma=1`` is Craven &
        Wahba's GCV. Values slightly above 1 counter GCV's occasional
        undersmoothing, which with irregular Gaia phase coverage can make a
        curve swing wildly across phase gaps.
    lam : float, default=None
        Fixed smoothing parameter, relative to ``trace(B'WB) / trace(penalty)``
        of each star. ``None`` chooses it per star by GCV over
        ``10**[-4, 5]``.
    use_errors : bool, default=False
        Weight epochs by ``1 / mag_err**2`` (normalised per star); needs a
        ``mag_err`` column.
    center : {{"curve", "data"}}, default="curve"
        Mean magnitude subtracted in the ``"mag"`` channel: the mean of the
        smoothed curve over phase (the Fourier A0, insensitive to uneven phase
        coverage) or the arithmetic mean of the observed magnitudes (as in
        Monti et al. 2024).
    min_epochs : int, default=6
        Fewer epochs raise a ``ValueError`` naming the star.
    {n_jobs}
        Stars are processed in chunks of a few thousand, in threads.

    Attributes
    ----------
    grid_ : ndarray of shape (n_points,)
        The evaluation phases.
    n_points_ : int
        Grid size.
    channels_ : tuple of str
        Output channels.
    n_features_in_ : int
        Number of columns of the frame seen in ``fit``.
    feature_names_in_ : ndarray of str
        Columns of the frame seen in ``fit``.

    See Also
    --------
    PhaseFolder : Adds the ``phase`` column this transformer needs.
    scipy.interpolate.make_smoothing_spline : The per-curve reference.

    Notes
    -----
    With basis matrix B (n x p), weights W, penalty matrix P and
    ``G = B'WB = LL'``, the fit ``β(λ) = (G + λP)^-1 B'Wy`` is a linear smoother
    ``S(λ)``. Diagonalising ``L^-1 P L^-T = U diag(s) U'`` once per star
    (Demmler-Reinsch) gives ``tr S(λ) = Σ 1 / (1 + λ s_j)`` and the residual sum
    of squares in O(p) for every λ, so GCV (Craven & Wahba 1979) scans 28 values
    of λ, refines between the neighbours of the best, and the coefficients come
    out of the same decomposition. Stacked over stars this costs a batched
    Cholesky, inverse and ``eigh`` of (n_stars, p, p) matrices. The curves are
    the penalised-regression-spline approximation of the periodic cubic
    smoothing spline (Wood 2017, section 5.3; Eilers & Marx 1996 for fixed
    uniform knots).

    Defaults, as measured. Held-out epochs (5-fold over the epochs of each star)
    of 518 real Gaia DR3 RRab (Liu et al. 2020 sample) are predicted with RMS
    0.057 mag by the periodic spline (32 knots, gamma 1.2), 0.064 by the open
    one, 0.061 with 24 knots, 0.084 with gamma 1 (24 knots) and 0.068 by
    scipy's ``make_smoothing_spline``. On 3,000 simulated stars
    (``make_rrlyrae``) the periodic spline is closer to the noiseless truth
    than the open one (median RMS 0.0066 vs 0.0088 mag), and gamma 1 leaves
    errors of 0.2-0.5 mag on a few stars with phase gaps (gamma 1.2: up to
    0.16). Weighting by ``1 / mag_err**2`` changed these figures by under 2 %.

    References
    ----------
    .. [1] Craven, P. & Wahba, G. 1979, Numer. Math. 31, 377, "Smoothing noisy
       data with spline functions".
    .. [2] Wood, S. N. 2017, Generalized Additive Models, 2nd ed., CRC.
    .. [3] Eilers, P. H. C. & Marx, B. D. 1996, Stat. Sci. 11, 89, "Flexible
       smoothing with B-splines and penalties".
    .. [4] Monti, L. et al. 2024, Sensors 24, 5203.

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.frame import make_frame
    >>> from skrrl.preprocessing import PhaseFolder, SplineResampler
    >>> t = np.linspace(0.0, 30.0, 40)
    >>> frame = make_frame([t], [15 + 0.3 * np.cos(2 * np.pi * t / 0.6)],
    ...                    period=[0.6], epoch=[0.0])
    >>> folded = PhaseFolder().fit_transform(frame)
    >>> X = SplineResampler(n_points=8).fit_transform(folded)
    >>> X.shape
    (1, 2, 8)
    >>> X[0, 1].round(2)
    array([ 0.3 ,  0.21,  0.  , -0.21, -0.3 , -0.21,  0.  ,  0.21])
    """

    def __init__(
        self,
        *,
        n_points=264,
        channels=("phase_time", "mag"),
        n_knots=32,
        periodic=True,
        gamma=1.2,
        lam=None,
        use_errors=False,
        center="curve",
        min_epochs=6,
        n_jobs=None,
    ):
        self.n_points = n_points
        self.channels = channels
        self.n_knots = n_knots
        self.periodic = periodic
        self.gamma = gamma
        self.lam = lam
        self.use_errors = use_errors
        self.center = center
        self.min_epochs = min_epochs
        self.n_jobs = n_jobs

    def _check_params(self):
        for name, low in (("n_points", 1), ("n_knots", 4), ("min_epochs", 3)):
            value = getattr(self, name)
            if not isinstance(value, Integral) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
        channels = (self.channels,) if isinstance(self.channels, str) else self.channels
        bad = [c for c in channels if c not in _CHANNELS]
        if bad or not len(channels):
            raise ValueError(
                f"channels must be a non-empty sequence of {_CHANNELS}, "
                f"got {self.channels!r}"
            )
        if not isinstance(self.gamma, Real) or not 0.5 <= self.gamma <= 3.0:
            raise ValueError(f"gamma must be a number in [0.5, 3], got {self.gamma!r}")
        if self.lam is not None and not (isinstance(self.lam, Real) and self.lam > 0):
            raise ValueError(f"lam must be None or a positive number, got {self.lam!r}")
        if self.center not in ("curve", "data"):
            raise ValueError(f"center must be 'curve' or 'data', got {self.center!r}")
        return tuple(channels)

    def _validate(self, X, channels):
        if not isinstance(X, pd.DataFrame) or "phase" not in X.columns:
            got = (
                f"columns {list(X.columns)}"
                if isinstance(X, pd.DataFrame)
                else type(X).__name__
            )
            raise ValueError(
                "SplineResampler needs a folded light-curve frame with a 'phase' "
                f"array column (got {got}); apply PhaseFolder first, e.g. "
                "make_pipeline(PhaseFolder(), SplineResampler())"
            )
        cols = ("mag", "phase") + (("mag_err",) if self.use_errors else ())
        if self.use_errors and "mag_err" not in X.columns:
            raise ValueError("use_errors=True needs a 'mag_err' column in the frame")
        return validate_frame(
            X,
            require_period="phase_time" in channels,
            min_epochs=self.min_epochs,
            array_columns=cols,
            check_sorted=None,
        )

    def fit(self, X, y=None):
        """Validate the parameters and the frame and set up the grid.

        Parameters
        ----------
        X : pandas.DataFrame
            Folded light-curve frame (output of :class:`PhaseFolder`).
        y : None
            Ignored.

        Returns
        -------
        self : SplineResampler
        """
        channels = self._check_params()
        self._validate(X, channels)
        self.channels_ = channels
        self.n_points_ = int(self.n_points)
        self.grid_ = np.arange(self.n_points_) / self.n_points_
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X):
        """Smooth and resample every curve.

        Parameters
        ----------
        X : pandas.DataFrame
            Folded light-curve frame.

        Returns
        -------
        ndarray of shape (n_stars, n_channels, n_points)
            The channels of ``channels_`` on the grid ``grid_``.
        """
        check_is_fitted(self)
        X = self._validate(X, self.channels_)
        mag, offsets = to_ragged(X, "mag")
        phase = to_ragged(X, "phase")[0]
        phase = phase - np.floor(phase)
        phase[phase >= 1.0] = 0.0
        star = star_index(offsets)
        counts = np.diff(offsets)
        if self.use_errors:
            weight = to_ragged(X, "mag_err")[0] ** -2.0
            weight *= (counts / np.bincount(star, weight, minlength=len(X)))[star]
        else:
            weight = np.ones_like(mag)
        data_mean = np.bincount(star, weight * mag, minlength=len(X)) / counts
        curve = smooth_batch(
            phase,
            mag - data_mean[star],
            weight,
            offsets,
            self.grid_,
            self.n_knots,
            bool(self.periodic),
            lam=self.lam,
            gamma=self.gamma,
            n_jobs=effective_n_jobs(self.n_jobs),
        )[0]
        if self.center == "curve":
            center = curve.mean(axis=1)
        else:
            center = np.bincount(star, mag, minlength=len(X)) / counts - data_mean
        out = np.empty((len(X), len(self.channels_), self.n_points_))
        for i, name in enumerate(self.channels_):
            if name == "phase_time":
                out[:, i] = X["period"].to_numpy(np.float64)[:, None] * self.grid_
            elif name == "phase":
                out[:, i] = self.grid_
            elif name == "mag":
                out[:, i] = curve - center[:, None]
            else:
                out[:, i] = curve + data_mean[:, None]
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
