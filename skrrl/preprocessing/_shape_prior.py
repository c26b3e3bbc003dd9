"""ShapePriorResampler: Bayesian light-curve resampling with a learned shape prior."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from skrrl.frame import to_ragged, validate_frame
from skrrl.preprocessing._batched import (
    check_n_harmonics,
    fourier_design,
    normal_equations,
    star_index,
)
from skrrl.preprocessing._channels import (
    RESAMPLER_ATTRIBUTES,
    check_channels,
    check_folded,
    set_layout,
    stack_channels,
)
from skrrl.utils._docstring import Substitution

_CHUNK = 4096  # stars whose normal equations are held at once in transform


def _shape_statistics(X, n_harmonics, rows=None):
    """Precision and information vector of every star's shape coefficients.

    The mean magnitude enters with a flat prior and is integrated out exactly:
    with the weighted normal equations ``G`` of columns ``[1, shape]`` and ``r``,
    the shape's likelihood precision is the Schur complement
    ``G_ss - G_s0 G_0s / G_00`` and its information ``r_s - G_s0 r_0 / G_00``.
    """
    if rows is not None:
        X = X.iloc[rows]
    mag, offsets = to_ragged(X, "mag")
    phase = to_ragged(X, "phase")[0]
    weight = to_ragged(X, "mag_err")[0] ** -2.0
    star = star_index(offsets)
    gram, rhs = normal_equations(phase, mag, weight, star, len(X), n_harmonics)
    g00 = gram[:, 0, 0]
    g0s = gram[:, 0, 1:]
    precision = gram[:, 1:, 1:] - g0s[:, :, None] * g0s[:, None, :] / g00[:, None, None]
    information = rhs[:, 1:] - g0s * (rhs[:, 0] / g00)[:, None]
    mean_mag = rhs[:, 0] / g00  # weighted mean; the curve's A0 adds -g0s.s / g00
    return precision, information, mean_mag, g0s / g00[:, None]


def _posterior(precision, information, prior_mean, prior_precision):
    """Posterior mean, covariance and precision of every star's shape coefficients."""
    post_precision = prior_precision + precision
    cov = np.linalg.inv(post_precision)
    mean = np.einsum("nij,nj->ni", cov, prior_precision @ prior_mean + information)
    return mean, cov, post_precision


def _log_evidence(mean, post_precision, prior_mean, prior_precision):
    """Log marginal likelihood of every star up to terms free of the prior."""
    _, logdet_post_prec = np.linalg.slogdet(post_precision)
    _, logdet_prior_prec = np.linalg.slogdet(prior_precision)
    quad = np.einsum("ni,nij,nj->n", mean, post_precision, mean)
    return 0.5 * (
        quad
        - prior_mean @ prior_precision @ prior_mean
        - logdet_post_prec
        + logdet_prior_prec
    )


@Substitution(attributes=RESAMPLER_ATTRIBUTES)
class ShapePriorResampler(TransformerMixin, BaseEstimator):
    """Resample folded light curves as posterior means under a learned shape prior.

    Every star's curve is a Fourier series ``A0 + sum_k a_k cos 2πkφ + b_k sin
    2πkφ`` whose shape coefficients ``(a_k, b_k)`` share a Gaussian prior
    ``N(mean_, covariance_)`` learned from the training curves themselves
    (empirical Bayes, see Notes); the mean magnitude ``A0`` has a flat prior.
    ``transform`` returns each star's posterior-mean curve on a fixed phase
    grid, in the channel layout of :class:`SplineResampler`. Sparse or noisy
    curves borrow shape from the population instead of being smoothed
    generically: on Gaia-like simulated RRab the resampled curves are closer to
    the noiseless truth, and metallicity networks trained on them are more
    accurate (see Notes).

    Parameters
    ----------
    n_points : int, default=264
        Grid size; the grid is ``φ_j = j / n_points``.
    channels : tuple of str, default=("phase_time", "mag")
        Output channels, in order, from ``"phase_time"`` (grid phase x period,
        days), ``"phase"`` (grid phase), ``"mag"`` (posterior-mean curve minus
        its mean magnitude A0) and ``"mag_raw"`` (the curve with A0).
    n_harmonics : int, default=8
        Harmonics of the Fourier series.
    max_iter : int, default=1000
        Most EM iterations in ``fit``.
    tol : float, default=1e-4
        EM stops when the mean log marginal likelihood per star changes by less
        (on 5,000 simulated stars: 104 iterations, 4 s; 1e-5 takes 304 and
        changes the curves by 0.01 %).

    Attributes
    ----------
    mean_ : ndarray of shape (2 * n_harmonics,)
        Prior mean of ``[a_1, b_1, a_2, b_2, ...]``.
    covariance_ : ndarray of shape (2 * n_harmonics, 2 * n_harmonics)
        Prior covariance.
    n_iter_ : int
        EM iterations run.
    log_likelihood_ : float
        Mean log marginal likelihood per training star (up to a constant).
    {attributes}

    See Also
    --------
    PhaseFolder : Adds the ``phase`` column this transformer needs.
    SplineResampler : Per-star smoothing without a population prior.

    Notes
    -----
    With weights ``w = 1 / mag_err**2``, each star's likelihood for its shape
    coefficients ``s`` (A0 integrated out) is Gaussian with precision ``Λ`` and
    information ``b``; under the prior ``N(m, C)`` the posterior is
    ``N((C^-1 + Λ)^-1 (C^-1 m + b), (C^-1 + Λ)^-1)``. ``fit`` finds the ``m, C``
    that maximise the marginal likelihood of all training curves by EM (the
    single-component case of extreme deconvolution, Bovy, Hogg & Roweis 2011):
    the E step computes every posterior, the M step sets ``m`` to the mean of
    the posterior means and ``C`` to their scatter plus the mean posterior
    covariance, so the curves' own noise is deconvolved from the population
    spread. Phases must be measured from a common reference (maximum light, as
    :class:`PhaseFolder` does) so that shapes align.

    Measured on 5,000 simulated Gaia-like RRab (``make_rrlyrae``, 66 points):
    RMS of the resampled curve about the noiseless truth 0.0075 mag vs 0.0136
    for :class:`SplineResampler`. Out-of-fold [Fe/H] RMSE of networks reading
    either (``benchmarks/bench_accuracy.py --resampler prior``, prior fitted
    per training fold): InceptionTime 0.233 vs 0.246, FCN 0.239 vs 0.253, GRU
    0.242 vs 0.249; on 518 real DR3 RRab with LAMOST [Fe/H], InceptionTime
    0.302 vs 0.309.

    References
    ----------
    .. [1] Bovy, J., Hogg, D. W. & Roweis, S. T. 2011, Ann. Appl. Stat. 5, 1657,
       "Extreme deconvolution: inferring complete distribution functions from
       noisy, heterogeneous and incomplete observations".

    Examples
    --------
    >>> from skrrl.datasets import make_rrlyrae
    >>> from skrrl.preprocessing import PhaseFolder, ShapePriorResampler
    >>> frame, feh, truth = make_rrlyrae(200, random_state=0)
    >>> folded = PhaseFolder().fit_transform(frame)
    >>> X = ShapePriorResampler(n_points=32).fit_transform(folded)
    >>> X.shape
    (200, 2, 32)
    """

    def __init__(
        self,
        *,
        n_points=264,
        channels=("phase_time", "mag"),
        n_harmonics=8,
        max_iter=1000,
        tol=1e-4,
    ):
        self.n_points = n_points
        self.channels = channels
        self.n_harmonics = n_harmonics
        self.max_iter = max_iter
        self.tol = tol

    def _check_params(self):
        check_n_harmonics(self.n_harmonics)
        for name in ("n_points", "max_iter"):
            value = getattr(self, name)
            if not isinstance(value, Integral) or value < 1:
                raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if not isinstance(self.tol, Real) or not self.tol >= 0:
            raise ValueError(f"tol must be a number >= 0, got {self.tol!r}")
        return check_channels(self.channels)

    def _validate(self, X, channels):
        check_folded(X, "ShapePriorResampler", ("phase", "mag_err"))
        X = validate_frame(
            X,
            require_period="phase_time" in channels,
            min_epochs=1,
            array_columns=("mag", "phase", "mag_err"),
            check_sorted=None,
        )
        err = to_ragged(X, "mag_err")[0]
        if np.any(err <= 0):
            raise ValueError("mag_err must be positive: it weights each epoch")
        return X

    def fit(self, X, y=None):
        """Learn the shape prior from the training curves by EM.

        Parameters
        ----------
        X : pandas.DataFrame
            Folded light-curve frame (output of :class:`PhaseFolder`) with
            ``mag_err``.
        y : None
            Ignored.

        Returns
        -------
        self : ShapePriorResampler
            The fitted transformer.
        """
        channels = self._check_params()
        X = self._validate(X, channels)
        precision, information, _, _ = _shape_statistics(X, self.n_harmonics)
        # start: population mean and spread of lightly regularised fits
        dim = precision.shape[1]
        ridge = 1e-3 * np.trace(precision, axis1=1, axis2=2).mean() / dim
        start = np.linalg.solve(precision + ridge * np.eye(dim), information[..., None])
        mean = start[..., 0].mean(axis=0)
        cov = np.cov(start[..., 0].T).reshape(dim, dim) + 1e-8 * np.eye(dim)
        previous = -np.inf
        for n_iter in range(1, self.max_iter + 1):  # noqa: B007 (kept after the loop)
            prior_precision = np.linalg.inv(cov)
            post_mean, post_cov, post_precision = _posterior(
                precision, information, mean, prior_precision
            )
            value = _log_evidence(post_mean, post_precision, mean, prior_precision)
            value = value.mean()
            mean = post_mean.mean(axis=0)
            spread = post_mean - mean
            cov = (spread.T @ spread + post_cov.sum(axis=0)) / len(X)
            if abs(value - previous) <= self.tol:
                break
            previous = value
        else:
            warnings.warn(
                f"EM did not converge in max_iter={self.max_iter} iterations "
                f"(last change {abs(value - previous):.2g} > tol={self.tol})",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.mean_, self.covariance_ = mean, cov
        self.n_iter_, self.log_likelihood_ = n_iter, float(value)
        set_layout(self, X, channels)
        return self

    def transform(self, X):
        """Posterior-mean curves of every star on the grid.

        Parameters
        ----------
        X : pandas.DataFrame
            Folded light-curve frame with ``mag_err``.

        Returns
        -------
        ndarray of shape (n_stars, n_channels, n_points)
            The channels of ``channels_`` on the grid ``grid_``.
        """
        check_is_fitted(self)
        X = self._validate(X, self.channels_)
        design = fourier_design(self.grid_, self.n_harmonics)[:, 1:]
        prior_precision = np.linalg.inv(self.covariance_)
        out = np.empty((len(X), len(self.channels_), self.n_points_))
        period = (
            X["period"].to_numpy()
            if "phase_time" in self.channels_
            else np.ones(len(X))
        )
        for start in range(0, len(X), _CHUNK):
            rows = np.arange(start, min(start + _CHUNK, len(X)))
            precision, information, mean_mag, lever = _shape_statistics(
                X, self.n_harmonics, rows
            )
            shape = _posterior(precision, information, self.mean_, prior_precision)[0]
            curve = shape @ design.T
            a0 = mean_mag - np.einsum("ni,ni->n", lever, shape)
            out[rows] = stack_channels(
                self.channels_, self.grid_, period[rows], curve, curve + a0[:, None]
            )
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
