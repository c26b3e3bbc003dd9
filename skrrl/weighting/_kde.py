"""Inverse-density sample weights of a continuous target (Gaussian KDE)."""

import numbers
import warnings

import numpy as np
from scipy.stats import gaussian_kde
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

__all__ = ["KDEWeighter", "kde_sample_weight"]


class KDEWeighter(BaseEstimator):
    r"""Inverse-density (and inverse-variance) sample weights of the target.

    Rare target values (metal-poor or metal-rich RR Lyrae stars) are
    up-weighted so a regressor does not collapse onto the bulk of the [Fe/H]
    distribution. The recipe is the one of Dékány & Grebel (2022) and Monti et
    al. (2024) (``compute_sample_weights`` / ``calculate_sample_weights``):

    1. A Gaussian kernel density estimate of the training targets
       :math:`y_1, \dots, y_n`,

       .. math:: \hat\rho(y) = \frac{1}{n} \sum_{i=1}^{n}
                 \frac{1}{\sqrt{2\pi}\,h} \exp\left(-\frac{(y - y_i)^2}{2h^2}\right),
                 \qquad h = f \, s_y,

       where :math:`s_y` is the sample standard deviation (``ddof=1``) and
       :math:`f = n^{-1/5}` (Scott's rule, the default of
       :class:`scipy.stats.gaussian_kde`) or :math:`f = (3n/4)^{-1/5}`
       (Silverman's rule).
    2. A tail cap. With the threshold :math:`t` (``density_threshold``), the
       dense range is :math:`[y_\mathrm{lo}, y_\mathrm{hi}]`, the smallest and
       largest training target with :math:`\hat\rho(y_i) > t`. The density
       weight is frozen outside it:

       .. math:: w_\rho(y) = 1 / \hat\rho\big(\mathrm{clip}(y, y_\mathrm{lo},
                 y_\mathrm{hi})\big).

    3. An optional inverse-variance factor :math:`w_\sigma = 1/\sigma^2` from
       ``y_err`` and any other multiplicative factor :math:`m` from
       ``sample_weight``: :math:`u = w_\rho \, w_\sigma \, m`.
    4. Min-max scaling to ``weight_range`` :math:`[a, b]` (default
       :math:`[0.01, 1]`),

       .. math:: w = a + (b - a) \frac{u - u_\mathrm{min}}
                 {u_\mathrm{max} - u_\mathrm{min}},

       where :math:`u_\mathrm{min}, u_\mathrm{max}` are the extremes of
       :math:`u` over the **training** rows seen by :meth:`fit`. On the
       training rows this is exactly scikit-learn's ``MinMaxScaler``; other rows
       (:meth:`compute_weights` after :meth:`fit`) use the training extremes
       and are clipped to :math:`[a, b]`, so a weight never becomes negative.

    Parameters
    ----------
    bandwidth : {"scott", "silverman"} or float, default="scott"
        Kernel bandwidth rule, or the kernel standard deviation :math:`h` in
        units of the target (for [Fe/H], dex). Unlike scipy's ``bw_method``, a
        float is the absolute bandwidth, not a factor of the standard deviation.
    density_threshold : float or None, default=0.5
        Density :math:`t` (in units of 1/target, so 0.5 per dex for [Fe/H])
        below which the tails are capped; the value of the original papers.
        ``None`` disables the cap (pure inverse density). When no training
        target is denser than ``t`` the dense range shrinks to the densest
        training target and the density weights become uniform (a warning
        says so).
    weight_range : tuple of (float, float), default=(0.01, 1.0)
        Range :math:`[a, b]` of the scaled weights, ``0 < a < b``.

    Attributes
    ----------
    kde_ : scipy.stats.gaussian_kde or None
        The density estimate of the training targets (``None`` when the
        training targets have no spread, see Notes), rebuilt from ``y_fit_``
        and ``bandwidth_`` on access so the weighter pickles.
    y_fit_ : ndarray of shape (n_samples_fit_,)
        The training targets the density is estimated from.
    bandwidth_ : float
        The kernel standard deviation :math:`h`, in units of the target
        (``nan`` without a KDE).
    y_lo_, y_hi_ : float
        The dense range :math:`[y_\mathrm{lo}, y_\mathrm{hi}]`.
    raw_min_, raw_max_ : float
        :math:`u_\mathrm{min}, u_\mathrm{max}` of the training rows.
    n_samples_fit_ : int
        Number of training rows with a non-zero weight factor.

    See Also
    --------
    kde_sample_weight : The same weights in one call (``fit`` + weights).
    DensityWeightedRegressor : Computes these weights inside ``fit``.

    Notes
    -----
    This is not a transformer of ``X``: it consumes only the target.

    The density is the sum above evaluated in numpy, in chunks of bounded
    memory; it equals ``scipy.stats.gaussian_kde(y_fit_, bw_method=...)`` (the
    ``kde_`` attribute) to rounding, and avoids a BLAS call that stalls on busy
    machines with threaded OpenBLAS. The cost is O(n_fit × n_eval).

    Rows whose ``sample_weight`` factor is zero are treated as absent: they do
    not enter the KDE or the scaling and get weight 0. Deviations from the
    original code, which would crash or divide by zero: without ``y_err`` the
    variance factor is 1; when the training targets have fewer than two
    distinct values the KDE is undefined and the density weights are uniform
    (with a warning); when all raw weights are equal, every weight is ``b``
    (``MinMaxScaler`` would return ``a``; ``b`` keeps unit weights for an
    unweighted problem).

    References
    ----------
    .. [1] Dékány, I. & Grebel, E. K. 2022, ApJS 261, 33.
    .. [2] Monti, L. et al. 2024, Sensors 24, 5203.

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.weighting import KDEWeighter
    >>> y = np.random.default_rng(0).normal(-1.5, 0.4, size=200)
    >>> weighter = KDEWeighter().fit(y)
    >>> w = weighter.compute_weights(y)
    >>> float(w.min()), float(w.max())
    (0.01, 1.0)
    >>> bool(w[np.argmin(np.abs(y + 1.5))] < w[np.argmax(np.abs(y + 1.5))])
    True
    """

    def __init__(
        self, *, bandwidth="scott", density_threshold=0.5, weight_range=(0.01, 1.0)
    ):
        self.bandwidth = bandwidth
        self.density_threshold = density_threshold
        self.weight_range = weight_range

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        tags.target_tags.required = True
        tags.target_tags.one_d_labels = True
        return tags

    def fit(self, y, y_err=None, sample_weight=None):
        """Learn the density of the training targets and the weight scale.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Training targets.
        y_err : array-like of shape (n_samples,), default=None
            Standard errors of ``y``; adds the factor ``1 / y_err**2``.
        sample_weight : array-like of shape (n_samples,), default=None
            Further non-negative multiplicative factor (for example an
            inverse variance ``1/σ²`` given directly). Zero means the row is
            absent.

        Returns
        -------
        self : KDEWeighter
            The fitted weighter.
        """
        self._fit(y, y_err, sample_weight)
        return self

    def fit_compute_weights(self, y, y_err=None, sample_weight=None):
        """Fit on ``y`` and return the weights of the same rows.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Training targets.
        y_err : array-like of shape (n_samples,), default=None
            Standard errors of ``y``.
        sample_weight : array-like of shape (n_samples,), default=None
            Further multiplicative factor; zero means the row is absent.

        Returns
        -------
        weights : ndarray of shape (n_samples,)
            Weights in ``weight_range`` (0 for rows with a zero factor).
        """
        return self._fit(y, y_err, sample_weight)

    def compute_weights(self, y, y_err=None, sample_weight=None):
        """Weights of any rows under the fitted density and scale.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Targets to weight (training rows or others).
        y_err : array-like of shape (n_samples,), default=None
            Standard errors of ``y``.
        sample_weight : array-like of shape (n_samples,), default=None
            Further multiplicative factor; zero means the row is absent.

        Returns
        -------
        weights : ndarray of shape (n_samples,)
            Weights scaled with the training extremes and clipped to
            ``weight_range`` (0 for rows with a zero factor).
        """
        check_is_fitted(self, "raw_max_")
        y, factor = _validate_inputs(y, y_err, sample_weight)
        raw = self._density_weight(y) * factor
        low, high = self.weight_range
        weights = _scale(raw, self.raw_min_, self.raw_max_, low, high)
        weights = np.clip(weights, low, high)
        weights[factor == 0] = 0.0
        return weights

    def _fit(self, y, y_err, sample_weight):
        low, high = _check_weight_range(self.weight_range)
        threshold = self.density_threshold
        if threshold is not None and (
            not isinstance(threshold, numbers.Real) or not threshold >= 0
        ):
            raise ValueError(
                "density_threshold must be a non-negative float or None, got "
                f"{threshold!r}."
            )
        y, factor = _validate_inputs(y, y_err, sample_weight)
        present = factor > 0
        if not present.any():
            raise ValueError(
                "All sample weights are zero: at least one row needs a non-zero weight."
            )
        y_fit = y[present]
        self.y_fit_ = y_fit
        self.n_samples_fit_ = int(y_fit.size)
        self.bandwidth_ = _bandwidth(y_fit, self.bandwidth)
        if np.isnan(self.bandwidth_):
            self.y_lo_ = self.y_hi_ = float(np.mean(y_fit))
            w_dens = np.ones_like(y)
        else:
            # one n x n evaluation: the density at every row, reused for the
            # rows inside the dense range; the capped rows need two more points
            density_all = _gaussian_density(y, y_fit, self.bandwidth_)
            density = density_all[present]
            dense = y_fit if threshold is None else y_fit[density > threshold]
            if dense.size == 0:
                warnings.warn(
                    f"No training target has a KDE density above "
                    f"density_threshold={threshold} (the peak density is "
                    f"{density.max():.3g}, in units of 1/y): the dense range "
                    "shrinks to the densest target and the density weights are "
                    "uniform. Lower density_threshold for targets on this scale.",
                    UserWarning,
                    stacklevel=3,
                )
                dense = y_fit[[np.argmax(density)]]
            self.y_lo_, self.y_hi_ = float(dense.min()), float(dense.max())
            ends = _gaussian_density(
                np.array([self.y_lo_, self.y_hi_]), y_fit, self.bandwidth_
            )
            w_dens = 1.0 / density_all
            w_dens[y < self.y_lo_] = 1.0 / ends[0]
            w_dens[y > self.y_hi_] = 1.0 / ends[1]
        raw = w_dens * factor
        self.raw_min_ = float(raw[present].min())
        self.raw_max_ = float(raw[present].max())
        weights = _scale(raw, self.raw_min_, self.raw_max_, low, high)
        weights[~present] = 0.0
        return weights

    @property
    def kde_(self):
        """The Gaussian KDE of the training targets (``None`` without spread)."""
        check_is_fitted(self, "bandwidth_")
        if np.isnan(self.bandwidth_):
            return None
        # built on demand: scipy keeps a scalar bandwidth in a lambda, which
        # does not pickle
        factor = self.bandwidth_ / np.std(self.y_fit_, ddof=1)
        return gaussian_kde(self.y_fit_, bw_method=factor)

    def _density_weight(self, y):
        if np.isnan(self.bandwidth_):
            return np.ones_like(y)
        clipped = np.clip(y, self.y_lo_, self.y_hi_)
        return 1.0 / _gaussian_density(clipped, self.y_fit_, self.bandwidth_)


def kde_sample_weight(
    y,
    y_err=None,
    *,
    sample_weight=None,
    bandwidth="scott",
    density_threshold=0.5,
    weight_range=(0.01, 1.0),
):
    r"""Inverse-density (× inverse-variance) weights of ``y``, min-max scaled.

    One call of :class:`KDEWeighter` (see it for the equations):
    ``KDEWeighter(...).fit_compute_weights(y, y_err, sample_weight)``. With
    ``y_err`` given and the defaults, this is the fitting weight of Dékány &
    Grebel (2022) and Monti et al. (2024).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Targets.
    y_err : array-like of shape (n_samples,), default=None
        Standard errors of ``y``; adds the factor ``1 / y_err**2``.
    sample_weight : array-like of shape (n_samples,), default=None
        Further non-negative multiplicative factor.
    bandwidth : {"scott", "silverman"} or float, default="scott"
        Bandwidth rule, or the kernel standard deviation in units of ``y``.
    density_threshold : float or None, default=0.5
        Density below which the tails are capped (``None``: no cap).
    weight_range : tuple of (float, float), default=(0.01, 1.0)
        Range of the scaled weights.

    Returns
    -------
    weights : ndarray of shape (n_samples,)
        The weights, ``min = weight_range[0]`` and ``max = weight_range[1]``.

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.weighting import kde_sample_weight
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(-1.5, 0.4, size=100)
    >>> w = kde_sample_weight(y, y_err=rng.uniform(0.1, 0.2, size=100))
    >>> w.shape, float(w.min()), float(w.max())
    ((100,), 0.01, 1.0)
    """
    weighter = KDEWeighter(
        bandwidth=bandwidth,
        density_threshold=density_threshold,
        weight_range=weight_range,
    )
    return weighter.fit_compute_weights(y, y_err, sample_weight)


def _as_1d_float(values, name, n=None):
    array = np.asarray(values, dtype=float)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array.ravel()
    if array.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got an array of shape {array.shape}.")
    if n is not None and array.shape[0] != n:
        raise ValueError(
            f"{name} has {array.shape[0]} rows but y has {n}: they must match."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values.")
    return array


def _validate_inputs(y, y_err, sample_weight):
    if y is None:
        raise ValueError("KDEWeighter requires y to be passed, but y is None.")
    y = _as_1d_float(y, "y")
    if y.size == 0:
        raise ValueError("y is empty: at least 1 sample is required.")
    factor = np.ones_like(y)
    if y_err is not None:
        y_err = _as_1d_float(y_err, "y_err", y.size)
        if np.any(y_err <= 0):
            raise ValueError("y_err must be strictly positive (it gives 1/y_err**2).")
        factor = factor / y_err**2
    if sample_weight is not None:
        sample_weight = _as_1d_float(sample_weight, "sample_weight", y.size)
        if np.any(sample_weight < 0):
            raise ValueError("sample_weight must be non-negative.")
        factor = factor * sample_weight
    return y, factor


def _check_weight_range(weight_range):
    try:
        low, high = (float(v) for v in weight_range)
    except (TypeError, ValueError):
        raise ValueError(
            f"weight_range must be a pair (low, high), got {weight_range!r}."
        ) from None
    if not 0 < low < high:
        raise ValueError(
            f"weight_range must satisfy 0 < low < high, got {weight_range!r}."
        )
    return low, high


def _bandwidth(y, bandwidth):
    """Kernel standard deviation h; NaN when the KDE is undefined (no spread)."""
    n = y.size
    if isinstance(bandwidth, str) and bandwidth in ("scott", "silverman"):
        # scipy.stats.gaussian_kde's rules for d = 1
        factor = n ** (-1 / 5) if bandwidth == "scott" else (3 * n / 4) ** (-1 / 5)
    elif (
        isinstance(bandwidth, numbers.Real)
        and not isinstance(bandwidth, bool)
        and bandwidth > 0
    ):
        factor = None
    else:
        raise ValueError(
            f'bandwidth must be "scott", "silverman" or a positive float, got '
            f"{bandwidth!r}."
        )
    if n < 2 or np.ptp(y) == 0:
        warnings.warn(
            f"The {n} training target(s) have no spread: the KDE is undefined "
            "and the density weights are uniform.",
            UserWarning,
            stacklevel=4,
        )
        return np.nan
    if factor is None:
        return float(bandwidth)
    return float(factor * np.std(y, ddof=1))


def _gaussian_density(x, data, h, max_cells=2**22):
    """Gaussian KDE of ``data`` with bandwidth ``h``, evaluated at ``x``.

    The same sum as ``scipy.stats.gaussian_kde`` for d = 1, in plain numpy:
    scipy's whitening step calls a BLAS triangular solve that stalls for
    ~20 ms per call on a busy machine with threaded OpenBLAS.
    """
    out = np.empty(x.shape[0])
    chunk = max(1, max_cells // data.shape[0])  # bounds the work array (~32 MB)
    norm = data.shape[0] * np.sqrt(2 * np.pi) * h
    for start in range(0, x.shape[0], chunk):
        work = np.subtract(x[start : start + chunk, None], data[None, :])
        np.square(work, out=work)
        work *= -0.5 / (h * h)
        np.exp(work, out=work)  # in place: one work array per chunk
        out[start : start + chunk] = work.sum(axis=1) / norm
    return out


def _scale(raw, raw_min, raw_max, low, high):
    if raw_max == raw_min:
        return np.full_like(raw, high)
    return low + (high - low) * (raw - raw_min) / (raw_max - raw_min)
