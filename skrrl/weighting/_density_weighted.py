"""Meta-regressor that fits its regressor with KDE density weights."""

import numpy as np
from sklearn import get_config
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.validation import check_array, check_is_fitted, column_or_1d

from skrrl.weighting._kde import KDEWeighter

__all__ = ["DensityWeightedRegressor"]


class DensityWeightedRegressor(RegressorMixin, BaseEstimator):
    """Fit a regressor with target-density weights computed inside ``fit``.

    The weights of :class:`KDEWeighter` depend on the distribution of the
    training targets. Computing them once on the whole data set and slicing
    them per fold leaks the held-out targets into training. This
    meta-estimator computes them in ``fit`` from the rows it is given, so in
    ``cross_validate`` or ``GridSearchCV`` each fold is weighted by its own
    training targets only, and passes them to the regressor as
    ``sample_weight``.

    Parameters
    ----------
    regressor : estimator or None, default=None
        Regressor accepting ``fit(X, y, sample_weight=...)``; cloned into
        ``regressor_``. ``None`` uses :class:`~sklearn.linear_model.Ridge`. A
        :class:`~sklearn.pipeline.Pipeline` gets the weights in its last step
        (as ``<last step>__sample_weight`` when metadata routing is off; with
        routing on, the last step must request them with
        ``set_fit_request(sample_weight=True)`` and every other step that
        accepts ``sample_weight``, such as ``StandardScaler``, must state
        ``set_fit_request(sample_weight=False)``).
    weighter : KDEWeighter or None, default=None
        Weighter with ``fit_compute_weights(y, sample_weight=...)``; cloned into
        ``weighter_``. ``None`` uses ``KDEWeighter()``.

    Attributes
    ----------
    regressor_ : estimator
        The fitted clone of ``regressor``.
    weighter_ : KDEWeighter
        The weighter fitted on the training targets.
    weights_ : ndarray of shape (n_samples,)
        The weights the regressor was fitted with.
    n_features_in_ : int
        Number of features seen by the regressor (when it exposes it).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names seen by the regressor (when it exposes them).

    See Also
    --------
    KDEWeighter : The weights and their equations.

    Notes
    -----
    ``fit(X, y, sample_weight=w)``: ``w`` is a per-row factor multiplied into
    the raw density weight **before** the min-max scaling, exactly like the
    inverse variance of the original recipe. Passing ``sample_weight=1 /
    feh_err**2`` therefore reproduces
    ``kde_sample_weight(y, y_err=feh_err)``; there is no separate ``y_err``
    argument. With metadata routing on, request it with
    ``set_fit_request(sample_weight=True)``. Rows with zero weight are treated
    as absent. Other fit metadata is not forwarded to the regressor: it is a
    plain consumer of ``sample_weight``, not a router.

    ``X`` is passed to the regressor untouched, so a pipeline starting from a
    light-curve frame works.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from skrrl.weighting import DensityWeightedRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = X @ [0.3, -0.2, 0.1] - 1.5 + rng.normal(0, 0.05, 200)
    >>> reg = DensityWeightedRegressor(regressor=Ridge(alpha=0.1)).fit(X, y)
    >>> reg.weights_.shape, round(float(reg.weights_.max()), 2)
    ((200,), 1.0)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    def __init__(self, *, regressor=None, weighter=None):
        self.regressor = regressor
        self.weighter = weighter

    def _get_regressor(self):
        return Ridge() if self.regressor is None else self.regressor

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._get_regressor())
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.input_tags.pairwise = inner.input_tags.pairwise
        # the weights need a single numeric target
        tags.target_tags.multi_output = False
        tags.target_tags.single_output = True
        return tags

    def fit(self, X, y, sample_weight=None):
        """Compute the weights from ``y`` and fit the regressor with them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or light-curve frame
            Training input, passed unchanged to the regressor.
        y : array-like of shape (n_samples,)
            Training targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Per-row factor (typically ``1/σ²``) multiplied into the density
            weights before scaling; zero means the row is absent.

        Returns
        -------
        self : DensityWeightedRegressor
            The fitted meta-regressor.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        y = check_array(
            y, input_name="y", ensure_2d=False, dtype="numeric", ensure_min_samples=1
        )
        y = column_or_1d(y, warn=True)
        if sample_weight is not None:
            sample_weight = check_array(
                sample_weight, input_name="sample_weight", ensure_2d=False
            )
            if sample_weight.ndim != 1 or sample_weight.shape[0] != y.shape[0]:
                raise ValueError(
                    f"sample_weight must have shape ({y.shape[0]},), got "
                    f"{sample_weight.shape}."
                )
        weighter = KDEWeighter() if self.weighter is None else self.weighter
        self.weighter_ = clone(weighter)
        self.weights_ = self.weighter_.fit_compute_weights(
            y, sample_weight=sample_weight
        )
        self.regressor_ = clone(self._get_regressor())
        self.regressor_.fit(X, y, **self._weight_kwargs(self.weights_))
        return self

    def _weight_kwargs(self, weights):
        if (
            isinstance(self.regressor_, Pipeline)
            and not get_config()["enable_metadata_routing"]
        ):
            return {f"{self.regressor_.steps[-1][0]}__sample_weight": weights}
        return {"sample_weight": weights}

    def predict(self, X):
        """Predict with the fitted regressor.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or light-curve frame
            Input accepted by the regressor.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predictions of ``regressor_``.
        """
        check_is_fitted(self, "regressor_")
        return self.regressor_.predict(X)

    @property
    def n_features_in_(self):
        """Number of features seen by the fitted regressor."""
        check_is_fitted(self, "regressor_")
        return self.regressor_.n_features_in_

    @property
    def feature_names_in_(self):
        """Feature names seen by the fitted regressor."""
        check_is_fitted(self, "regressor_")
        return np.asarray(self.regressor_.feature_names_in_)
