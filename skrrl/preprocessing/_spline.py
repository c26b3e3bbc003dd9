"""SplineResampler: batched GCV smoothing splines on a fixed phase grid."""

from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from skrrl.frame import to_ragged, validate_frame
from skrrl.preprocessing._batched import star_index
from skrrl.preprocessing._channels import (
    RESAMPLER_ATTRIBUTES,
    check_channels,
    check_folded,
    set_layout,
    stack_channels,
)
from skrrl.preprocessing._pspline import smooth_batch
from skrrl.utils._docstring import Substitution, _n_jobs_docstring


@Substitution(n_jobs=_n_jobs_docstring, attributes=RESAMPLER_ATTRIBUTES)
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
    n_knots : int, default=28
        Knot intervals of the cubic B-spline basis on [0, 1] (the basis has
        ``n_knots`` functions, periodic, or ``n_knots + 3``). Enough to follow
        the steep RRab rise (~0.1 in phase); the cost per star grows as
        ``n_knots**3``.
    periodic : bool, default=True
        Periodic spline (value, slope and curvature continuous across phase
        1 -> 0). Otherwise an open spline on [0, 1] whose penalty leaves
        straight lines unpenalised; it fits worse (see Notes) and runs several
        times slower (its barely covered edge functions make the per-star
        eigenproblems badly graded).
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
    {attributes}

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
    0.057 mag by the periodic spline (28 knots, gamma 1.2; 32 knots: 0.057,
    24: 0.061), 0.064-0.071 by the open one (32-24 knots), 0.084 with gamma 1
    (24 knots) and 0.068 by scipy's ``make_smoothing_spline``; 28 knots cost
    20 % less than 32. On 3,000 simulated stars (``make_rrlyrae``, 24 knots)
    the periodic spline is closer to the noiseless truth than the open one
    (median RMS 0.0066 vs 0.0088 mag), and gamma 1 leaves errors of 0.2-0.5
    mag on a few stars with phase gaps (gamma 1.2: up to 0.16). Weighting by
    ``1 / mag_err**2`` changed these figures by under 2 %.

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
        n_knots=28,
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
        channels = check_channels(self.channels)
        if not isinstance(self.gamma, Real) or not 0.5 <= self.gamma <= 3.0:
            raise ValueError(f"gamma must be a number in [0.5, 3], got {self.gamma!r}")
        if self.lam is not None and not (isinstance(self.lam, Real) and self.lam > 0):
            raise ValueError(f"lam must be None or a positive number, got {self.lam!r}")
        if self.center not in ("curve", "data"):
            raise ValueError(f"center must be 'curve' or 'data', got {self.center!r}")
        return tuple(channels)

    def _validate(self, X, channels):
        check_folded(X, "SplineResampler", ("phase",))
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
            The fitted transformer.
        """
        channels = self._check_params()
        self._validate(X, channels)
        set_layout(self, X, channels)
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
        period = X["period"].to_numpy() if "phase_time" in self.channels_ else None
        return stack_channels(
            self.channels_,
            self.grid_,
            period,
            curve - center[:, None],
            curve + data_mean[:, None],
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
