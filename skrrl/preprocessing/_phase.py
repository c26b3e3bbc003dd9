"""PhaseFolder: time -> pulsation phase, measured from maximum light."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from skrrl.frame import from_ragged, to_ragged, validate_frame
from skrrl.preprocessing._batched import (
    check_n_harmonics,
    chunks,
    fourier_eval,
    fourier_fit,
    star_index,
)

#: Phase grid on which the maximum of the alignment fit is searched; the
#: minimum is then refined by a parabola through the three nearest grid points.
_N_SEARCH = 1024


def _frac(x):
    out = x - np.floor(x)
    out[out >= 1.0] = 0.0  # -1e-17 - floor(-1e-17) rounds to 1.0
    return out


def max_light_phase(phase, mag, star, n_stars, n_harmonics):
    """Phase of maximum light (minimum magnitude) of a low-order Fourier fit.

    Parameters
    ----------
    phase, mag : ndarray of shape (n_epochs_total,)
        Flattened phases (any origin) and magnitudes.
    star : ndarray of shape (n_epochs_total,)
        Star number of each epoch.
    n_stars : int
        Number of stars.
    n_harmonics : int
        Order of the fitted Fourier series.

    Returns
    -------
    ndarray of shape (n_stars,)
        Phase in [0, 1) of the minimum of each fitted series.
    """
    coef = fourier_fit(phase, mag, np.ones_like(mag), star, n_stars, n_harmonics)
    grid = np.arange(_N_SEARCH) / _N_SEARCH
    with threadpool_limits(limits=1, user_api="blas"):
        curve = fourier_eval(coef, grid)
    i = np.argmin(curve, axis=1)
    rows = np.arange(n_stars)
    left = curve[rows, (i - 1) % _N_SEARCH]
    mid = curve[rows, i]
    right = curve[rows, (i + 1) % _N_SEARCH]
    denom = left - 2.0 * mid + right
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where(denom > 0, 0.5 * (left - right) / denom, 0.0)
    return _frac((i + np.clip(shift, -0.5, 0.5)) / _N_SEARCH)


class PhaseFolder(TransformerMixin, BaseEstimator):
    """Fold light curves on their period: time -> phase from maximum light.

    The phase of an epoch at time ``t`` is ``frac((t - epoch) / period)``, where
    ``epoch`` is the time of maximum light (Gaia DR3 ``epoch_g``). Stars without
    an epoch (no ``epoch`` column, NaN epochs, or ``use_epoch=False``) get phase 0
    at maximum light of a least-squares Fourier series of ``n_harmonics``
    harmonics, fitted to all stars at once. The arrays of every star are then
    re-sorted by phase.

    Parameters
    ----------
    use_epoch : bool, default=True
        Fold on the ``epoch`` column where it is finite. With ``False`` every
        star is aligned on the maximum of its Fourier fit.
    n_harmonics : int, default=4
        Harmonics of the alignment fit. Needs ``2 * n_harmonics + 1`` epochs per
        aligned star. On simulated Gaia-like curves (~45 epochs) the median
        phase error of maximum light is 0.006 (RRab) and 0.011 (RRc) with 4
        harmonics, 0.018 and 0.007 with 3: fewer harmonics bias the steep RRab
        rise, more chase noise.
    add_phase_time : bool, default=False
        Also write the array column ``phase_time`` = phase x period (days), the
        time channel of Monti et al. (2024).

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of the frame seen in ``fit``.
    feature_names_in_ : ndarray of str
        Columns of the frame seen in ``fit``.

    See Also
    --------
    SplineResampler : Resample folded curves on a fixed phase grid.
    skrrl.frame.validate_frame : The checks applied to the input.

    Notes
    -----
    The Fourier alignment fits ``m(φ) = a0 + Σ_k a_k cos 2πkφ + b_k sin 2πkφ``
    with the phase origin at the first epoch, finds the minimum magnitude on a
    grid of 1024 phases refined by a parabola, and subtracts it. The recovered
    origin differs from the true maximum of light by the bias of the truncated
    series plus noise: on 500 simulated noisy RRab (``make_rrlyrae``) the
    median absolute error is 0.006 in phase, the 99th percentile 0.024.

    Examples
    --------
    >>> from skrrl.frame import make_frame
    >>> from skrrl.preprocessing import PhaseFolder
    >>> frame = make_frame([[0.0, 0.3, 1.1]], [[15.0, 15.4, 15.2]], period=[0.5],
    ...                    epoch=[0.1])
    >>> folded = PhaseFolder().fit_transform(frame)
    >>> folded.loc[0, "phase"].round(3)
    array([0. , 0.4, 0.8])
    >>> folded.loc[0, "time"]
    array([1.1, 0.3, 0. ])
    """

    def __init__(self, *, use_epoch=True, n_harmonics=4, add_phase_time=False):
        self.use_epoch = use_epoch
        self.n_harmonics = n_harmonics
        self.add_phase_time = add_phase_time

    def _check_params(self):
        check_n_harmonics(self.n_harmonics)

    @staticmethod
    def _validate(X):
        # a frame folded before is sorted by phase; it is re-folded from time
        sort_col = "phase" if "phase" in getattr(X, "columns", ()) else "time"
        return validate_frame(X, require_period=True, check_sorted=sort_col)

    def fit(self, X, y=None):
        """Validate the parameters and the frame (folding learns nothing).

        Parameters
        ----------
        X : pandas.DataFrame
            Light-curve frame with ``time``, ``mag`` and ``period``.
        y : None
            Ignored.

        Returns
        -------
        self : PhaseFolder
            The fitted transformer.
        """
        self._check_params()
        self._validate(X)
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X):
        """Fold every star and sort its arrays by phase.

        Parameters
        ----------
        X : pandas.DataFrame
            Light-curve frame with ``time``, ``mag`` and ``period`` (``epoch``
            optional).

        Returns
        -------
        folded : pandas.DataFrame
            A copy with the array column ``phase`` (and ``phase_time``); all
            array columns sorted by phase.
        """
        check_is_fitted(self)
        self._check_params()
        X = self._validate(X)
        period = X["period"].to_numpy(np.float64)
        epoch = np.full(len(X), np.nan)
        if self.use_epoch and "epoch" in X.columns:
            epoch = X["epoch"].to_numpy(np.float64).copy()
        need_fit = ~np.isfinite(epoch)
        if need_fit.any():
            validate_frame(
                X.loc[need_fit],
                require_period=False,
                check_sorted=None,
                array_columns=("mag",),
                min_epochs=2 * self.n_harmonics + 1,
            )
        time, offsets = to_ragged(X, "time")
        arrays = {
            c: to_ragged(X, c)[0] for c in ("time", "mag", "mag_err") if c in X.columns
        }
        phase = np.empty_like(time)
        out = {c: np.empty_like(v) for c, v in arrays.items()}
        for start, stop in chunks(offsets):
            lo, hi = offsets[start], offsets[stop]
            star = star_index(offsets[start : stop + 1] - lo)
            t = time[lo:hi]
            p = period[start:stop][star]
            ep = epoch[start:stop].copy()
            missing = need_fit[start:stop]
            if missing.any():
                # provisional origin: the first epoch of each star
                ep[missing] = t[offsets[start:stop][missing] - lo]
                ph = _frac((t - ep[star]) / p)
                sel = missing[star]
                renumber = np.cumsum(missing) - 1
                peak = max_light_phase(
                    ph[sel],
                    arrays["mag"][lo:hi][sel],
                    renumber[star[sel]],
                    int(missing.sum()),
                    self.n_harmonics,
                )
                ep[missing] += peak * period[start:stop][missing]
            ph = _frac((t - ep[star]) / p)
            order = np.lexsort((ph, star))
            phase[lo:hi] = ph[order]
            for c, v in arrays.items():
                out[c][lo:hi] = v[lo:hi][order]
        folded = X.copy()
        for c, v in out.items():
            folded[c] = from_ragged(v, offsets)
        folded["phase"] = from_ragged(phase, offsets)
        if self.add_phase_time:
            folded["phase_time"] = from_ragged(
                phase * np.repeat(period, np.diff(offsets)), offsets
            )
        return folded

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
