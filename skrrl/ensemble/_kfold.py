"""K-fold ensemble: one model per cross-validation fold, mean and spread."""

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, MetaEstimatorMixin, RegressorMixin, clone
from sklearn.model_selection import check_cv
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import (
    _check_method_params,
    _check_y,
    check_array,
    check_is_fitted,
    validate_data,
)

from skrrl.utils._docstring import (
    Substitution,
    _n_jobs_docstring,
    _random_state_docstring,
)


def _as_indexable(X):
    """Arrays and array-likes as arrays (2D or more); frames are kept as they are."""
    if hasattr(X, "iloc"):
        return X
    return check_array(
        X, accept_sparse="csr", allow_nd=True, dtype=None, ensure_all_finite=False
    )


def _fit_fold(estimator, X, y, train, params):
    return clone(estimator).fit(
        _safe_indexing(X, train),
        y[train],
        **_check_method_params(X, params, train),
    )


@Substitution(random_state=_random_state_docstring, n_jobs=_n_jobs_docstring)
class KFoldEnsembleRegressor(MetaEstimatorMixin, RegressorMixin, BaseEstimator):
    """Ensemble of one regressor per cross-validation fold.

    Each fold's training part fits a clone of ``estimator``; predictions are
    the mean over the fold models and their standard deviation is a spread
    estimate, as the seed code deploys its 5 or 10 fold models (Monti et al.
    2024; Dekany & Grebel 2022). Every model's held-out fold is predicted too,
    giving out-of-fold predictions for free.

    Parameters
    ----------
    estimator : regressor, default=None
        Regressor to clone per fold; ``None`` means
        :class:`~skrrl.neural.GRURegressor` with its paper defaults. Its own
        ``random_state`` is used unchanged in every fold.
    cv : int, cross-validation generator or iterable, default=5
        Folds. An int ``k`` means
        :class:`~skrrl.model_selection.BinnedStratifiedKFold` with ``k`` folds
        (stratified on rank bins of ``y``), shuffled with ``random_state``.
    {n_jobs}
        Folds are fitted in parallel.
    {random_state}
        Used only when ``cv`` is an int.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted fold models.
    oof_prediction_ : ndarray of shape (n_samples,)
        Out-of-fold prediction of each training sample: the mean prediction of
        the fold models that did not see it (NaN for a sample in no test fold).
    n_features_in_ : int
        Number of features (2D input) or channels (3D input) seen in ``fit``.

    See Also
    --------
    skrrl.model_selection.BinnedStratifiedKFold : The default folds.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from skrrl.ensemble import KFoldEnsembleRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(60, 3))
    >>> y = X @ [1.0, -2.0, 0.5] + rng.normal(scale=0.1, size=60)
    >>> ens = KFoldEnsembleRegressor(Ridge(), cv=5, random_state=0).fit(X, y)
    >>> mean, std = ens.predict(X[:2], return_std=True)
    >>> len(ens.estimators_), mean.shape, bool((std > 0).all())
    (5, (2,), True)
    """

    def __init__(self, estimator=None, *, cv=5, n_jobs=None, random_state=None):
        self.estimator = estimator
        self.cv = cv
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _estimator(self):
        if self.estimator is not None:
            return self.estimator
        from skrrl.neural import GRURegressor

        return GRURegressor()

    def _cv(self):
        if isinstance(self.cv, int | np.integer):
            from skrrl.model_selection import BinnedStratifiedKFold

            return BinnedStratifiedKFold(
                n_splits=int(self.cv), shuffle=True, random_state=self.random_state
            )
        return check_cv(self.cv)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self._estimator())
        tags.input_tags = inner.input_tags
        tags.regressor_tags.poor_score = inner.regressor_tags.poor_score
        return tags

    def get_metadata_routing(self):
        """Route ``fit`` metadata to the estimator's ``fit`` and the cv's ``split``.

        Returns
        -------
        routing : MetadataRouter
            See the scikit-learn user guide on metadata routing.
        """
        return (
            MetadataRouter(owner=self)
            .add(
                estimator=self._estimator(),
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
            .add(
                splitter=self._cv(),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )

    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit one clone of the estimator per fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Anything the estimator accepts (2D, 3D, a light-curve frame ...).
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed to the estimator's ``fit`` (split per fold). With metadata
            routing enabled, the estimator must request it.
        **fit_params : dict
            Other fit parameters: passed to the estimator (routing disabled),
            or routed to the estimator and the splitter (e.g. ``groups``).

        Returns
        -------
        self : object
            Fitted ensemble.
        """
        X, y = validate_data(self, _as_indexable(X), y, skip_check_array=True)
        y = _check_y(y, y_numeric=True, estimator=self)
        if _routing_enabled():
            routed = process_routing(
                self, "fit", sample_weight=sample_weight, **fit_params
            )
            est_params, split_params = routed.estimator.fit, routed.splitter.split
        else:
            est_params, split_params = dict(fit_params), {}
            if sample_weight is not None:
                est_params["sample_weight"] = sample_weight
        cv = self._cv()
        n_samples = len(y)
        if isinstance(self.cv, int | np.integer) or hasattr(cv, "get_n_splits"):
            n_splits = cv.get_n_splits(X, y, **split_params)
            if isinstance(self.cv, int | np.integer) and n_samples < n_splits:
                raise ValueError(
                    f"KFoldEnsembleRegressor got {n_samples} sample(s), fewer than "
                    f"the cv={n_splits} folds."
                )
        splits = list(cv.split(X, y, **split_params))
        estimator = self._estimator()
        self.estimators_ = Parallel(n_jobs=self.n_jobs)(
            delayed(_fit_fold)(estimator, X, y, train, est_params)
            for train, _ in splits
        )
        total = np.zeros(n_samples)
        count = np.zeros(n_samples)
        for model, (_, test) in zip(self.estimators_, splits):
            total[test] += model.predict(_safe_indexing(X, test))
            count[test] += 1
        with np.errstate(invalid="ignore", divide="ignore"):
            self.oof_prediction_ = np.where(count > 0, total / count, np.nan)
        return self

    def predict(self, X, return_std=False):
        """Mean prediction of the fold models (and their spread).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Input accepted by the estimator.
        return_std : bool, default=False
            Also return the standard deviation over the fold models.

        Returns
        -------
        y_mean : ndarray of shape (n_samples,)
            Mean prediction.
        y_std : ndarray of shape (n_samples,)
            Standard deviation (``ddof=0``) over the fold models; only when
            ``return_std=True``.
        """
        check_is_fitted(self)
        X = validate_data(self, _as_indexable(X), reset=False, skip_check_array=True)
        preds = np.stack([np.asarray(m.predict(X)) for m in self.estimators_])
        mean = preds.mean(axis=0)
        return (mean, preds.std(axis=0)) if return_std else mean
