"""FourierFeatures: classical Fourier light-curve parameters per star."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from skrrl.frame import to_ragged, validate_frame
from skrrl.preprocessing._batched import (
    check_n_harmonics,
    chunks,
    fourier_fit,
    star_index,
)

_CONVENTIONS = ("cosine", "sine")


class FourierFeatures(TransformerMixin, BaseEstimator):
    """Fourier decomposition parameters of every light curve.

    Fits ``m(φ) = A0 + Σ_{k=1..K} A_k cos(2πkφ + φ_k)`` (cosine convention) or
    the same with ``sin`` (sine convention) by weighted least squares, all stars
    in one batch, and returns per star::

        period, A0, A1..AK, R21..RK1, phi21..phiK1

    with ``R_k1 = A_k / A_1`` and ``φ_k1 = φ_k - k φ_1`` wrapped to [0, 2π).
    ``R_k1`` and ``φ_k1`` do not depend on the phase origin, so folded and
    unfolded frames give the same features. These are the inputs of the
    classical photometric metallicity relations (e.g. Jurcsik & Kovács 1996,
    sine; Li et al. 2023, Gaia G, cosine), usable with any scikit-learn
    regressor.

    Parameters
    ----------
    n_harmonics : int, default=4
        Number of harmonics K; each star needs ``2 K + 1`` epochs.
    convention : {"cosine", "sine"}, default="cosine"
        Phase convention of ``φ_k``. Gaia DR3 (``phi21_g``, ``phi31_g``) and
        OGLE use cosine; Jurcsik & Kovács (1996) and Nemec et al. (2013) use
        sine. They differ by ``φ_k1(cos) = φ_k1(sin) + (k - 1) π / 2``.
    use_errors : bool, default=False
        Weight epochs by ``1 / mag_err**2`` (needs a ``mag_err`` column).

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of the frame seen in ``fit``.
    feature_names_in_ : ndarray of str
        Columns of the frame seen in ``fit``.
    n_features_out_ : int
        Number of output features, ``3 K + 1``.

    See Also
    --------
    PhaseFolder : Fold light curves on their period.

    Notes
    -----
    The least-squares coefficients of ``a_k cos 2πkφ + b_k sin 2πkφ`` give
    ``A_k = hypot(a_k, b_k)`` and ``φ_k = atan2(-b_k, a_k)`` (cosine) or
    ``atan2(a_k, b_k)`` (sine).

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.frame import make_frame
    >>> from skrrl.preprocessing import FourierFeatures
    >>> t = np.linspace(0.0, 10.0, 60)
    >>> mag = 15 + 0.3 * np.cos(2 * np.pi * t / 0.5) + 0.1 * np.cos(
    ...     4 * np.pi * t / 0.5 + 1.0)
    >>> ff = FourierFeatures(n_harmonics=2).fit(make_frame([t], [mag], period=[0.5]))
    >>> ff.get_feature_names_out()
    array(['period', 'A0', 'A1', 'A2', 'R21', 'phi21'], dtype=object)
    >>> ff.transform(make_frame([t], [mag], period=[0.5])).round(3)
    array([[ 0.5  , 15.   ,  0.3  ,  0.1  ,  0.333,  1.   ]])
    """

    def __init__(self, *, n_harmonics=4, convention="cosine", use_errors=False):
        self.n_harmonics = n_harmonics
        self.convention = convention
        self.use_errors = use_errors

    def _check_params(self):
        check_n_harmonics(self.n_harmonics)
        if self.convention not in _CONVENTIONS:
            raise ValueError(
                f"convention must be one of {_CONVENTIONS}, got {self.convention!r}"
            )

    def _validate(self, X):
        sort_col = "phase" if "phase" in getattr(X, "columns", ()) else "time"
        X = validate_frame(
            X,
            require_period=True,
            min_epochs=2 * self.n_harmonics + 1,
            check_sorted=sort_col,
        )
        if self.use_errors and "mag_err" not in X.columns:
            raise ValueError("use_errors=True needs a 'mag_err' column in the frame")
        return X

    def fit(self, X, y=None):
        """Validate the parameters and the frame.

        Parameters
        ----------
        X : pandas.DataFrame
            Light-curve frame with ``time`` (or ``phase``), ``mag`` and ``period``.
        y : None
            Ignored.

        Returns
        -------
        self : FourierFeatures
            The fitted transformer.
        """
        self._check_params()
        self._validate(X)
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        self.n_features_out_ = 3 * self.n_harmonics + 1
        return self

    def transform(self, X):
        """Fourier parameters of every star.

        Parameters
        ----------
        X : pandas.DataFrame
            Light-curve frame with ``time`` (or ``phase``), ``mag`` and ``period``.

        Returns
        -------
        ndarray of shape (n_stars, 3 * n_harmonics + 1)
            Columns as in :meth:`get_feature_names_out`.
        """
        check_is_fitted(self)
        self._check_params()
        X = self._validate(X)
        K = self.n_harmonics
        period = X["period"].to_numpy(np.float64)
        mag, offsets = to_ragged(X, "mag")
        if "phase" in X.columns:
            phase = to_ragged(X, "phase")[0]
        else:
            t = to_ragged(X, "time")[0]
            phase = t / np.repeat(period, np.diff(offsets))
            phase -= np.floor(phase)
        if self.use_errors:
            weight = to_ragged(X, "mag_err")[0] ** -2.0
        else:
            weight = np.ones_like(mag)
        coef = np.empty((len(X), 2 * K + 1))
        for start, stop in chunks(offsets):
            lo, hi = offsets[start], offsets[stop]
            star = star_index(offsets[start : stop + 1] - lo)
            coef[start:stop] = fourier_fit(
                phase[lo:hi], mag[lo:hi], weight[lo:hi], star, stop - start, K
            )
        a, b = coef[:, 1::2], coef[:, 2::2]
        amp = np.hypot(a, b)
        if self.convention == "cosine":
            phi = np.arctan2(-b, a)
        else:
            phi = np.arctan2(a, b)
        k = np.arange(2, K + 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = amp[:, 1:] / amp[:, :1]
        phik1 = np.mod(phi[:, 1:] - k * phi[:, :1], 2.0 * np.pi)
        return np.column_stack([period, coef[:, 0], amp, ratio, phik1])

    def get_feature_names_out(self, input_features=None):
        """Get the names of the output features.

        Parameters
        ----------
        input_features : None
            Ignored (the output does not depend on the input columns).

        Returns
        -------
        ndarray of str
            ``period, A0, A1..AK, R21..RK1, phi21..phiK1``.
        """
        check_is_fitted(self)
        k = range(1, self.n_harmonics + 1)
        names = ["period", "A0", *(f"A{i}" for i in k)]
        names += [f"R{i}1" for i in k if i > 1] + [f"phi{i}1" for i in k if i > 1]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags
