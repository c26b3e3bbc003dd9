"""Scorers for the skrrl metrics, aware of scikit-learn metadata routing."""

import warnings

import numpy as np
from sklearn import get_config
from sklearn.metrics import get_scorer as _sklearn_get_scorer
from sklearn.metrics import make_scorer

from skrrl.metrics._regression import (
    mae,
    median_absolute_error,
    rmse,
    weighted_mae,
    weighted_r2,
    weighted_rmse,
)

__all__ = ["SCORERS", "get_scorer", "get_scorer_names", "get_scorers"]

#: name -> (metric, greater_is_better, uses sample_weight). Scorer values are
#: negated when lower is better, as in scikit-learn (``neg_...``).
SCORERS = {
    "neg_rmse": (rmse, False, False),
    "neg_mae": (mae, False, False),
    "neg_median_absolute_error": (median_absolute_error, False, False),
    "neg_weighted_rmse": (weighted_rmse, False, True),
    "neg_weighted_mae": (weighted_mae, False, True),
    "weighted_r2": (weighted_r2, True, True),
}


class _WeightedScore:
    """A weighted metric that warns and scores unweighted when no weights come.

    A class rather than a closure so scorers (and searches holding them) pickle.
    """

    def __init__(self, metric):
        self.metric = metric
        self.__name__ = metric.__name__

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is None:
            warnings.warn(
                f"{self.__name__} scorer received no sample_weight, so the score "
                "is unweighted. Enable metadata routing "
                "(sklearn.set_config(enable_metadata_routing=True)), get the scorer "
                "after that, and pass params={'sample_weight': w}.",
                UserWarning,
                stacklevel=2,
            )
            sample_weight = np.ones(len(y_true))
        return self.metric(y_true, y_pred, sample_weight=sample_weight)


def get_scorer(name):
    """A fresh scorer by name (skrrl's, else scikit-learn's).

    Weighted scorers score with the ``sample_weight`` routed to them.
    Metadata routing decides how weights reach scorers, so call this *after*
    ``sklearn.set_config(enable_metadata_routing=...)``:

    - routing on: weighted scorers request ``sample_weight``
      (``set_score_request(sample_weight=True)``), the others decline it, and
      ``cross_validate(..., params={"sample_weight": w})`` weights each test
      fold with its rows of ``w``;
    - routing off: scikit-learn sends no weights to scorers; weighted scorers
      then warn and return the unweighted score.

    Parameters
    ----------
    name : str
        One of :func:`get_scorer_names`, or any scikit-learn scorer name.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sample_weight=None)``; greater is better.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyRegressor
    >>> from skrrl.metrics import get_scorer
    >>> X, y = np.zeros((4, 1)), np.array([0.0, 0.0, 1.0, 1.0])
    >>> est = DummyRegressor().fit(X, y)
    >>> get_scorer("neg_rmse")(est, X, y)
    -0.5
    >>> get_scorer("neg_weighted_rmse")(est, X, y, sample_weight=[1, 1, 1, 1])
    -0.5
    """
    if name not in SCORERS:
        return _sklearn_get_scorer(name)
    metric, greater_is_better, weighted = SCORERS[name]
    func = _WeightedScore(metric) if weighted else metric
    scorer = make_scorer(func, greater_is_better=greater_is_better)
    if get_config()["enable_metadata_routing"]:
        scorer.set_score_request(sample_weight=weighted)
    return scorer


def get_scorers(names=None):
    """A ``{name: scorer}`` dict for ``cross_validate(scoring=...)``.

    Parameters
    ----------
    names : sequence of str, default=None
        Scorer names; ``None`` means all of :func:`get_scorer_names`.

    Returns
    -------
    scorers : dict
        Fresh scorers from :func:`get_scorer`.

    Examples
    --------
    >>> from skrrl.metrics import get_scorers
    >>> sorted(get_scorers(["neg_rmse", "weighted_r2"]))
    ['neg_rmse', 'weighted_r2']
    """
    names = get_scorer_names() if names is None else list(names)
    return {name: get_scorer(name) for name in names}


def get_scorer_names():
    """Names of the skrrl scorers.

    Returns
    -------
    names : list of str
        Sorted names accepted by :func:`get_scorer`.

    Examples
    --------
    >>> from skrrl.metrics import get_scorer_names
    >>> "neg_weighted_rmse" in get_scorer_names()
    True
    """
    return sorted(SCORERS)
