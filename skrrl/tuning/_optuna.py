"""Optuna hyperparameter search over cross-validated scikit-learn estimators."""

import logging
from typing import Any, NamedTuple

import numpy as np
from sklearn import get_config
from sklearn.base import clone
from sklearn.model_selection import cross_validate
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)

from skrrl.model_selection import BinnedStratifiedKFold
from skrrl.tuning._spaces import decode_params, get_search_space, suggest_params
from skrrl.utils._docstring import (
    Substitution,
    _n_jobs_docstring,
    _random_state_docstring,
)

__all__ = ["TuneResult", "tune"]


class TuneResult(NamedTuple):
    """What :func:`tune` returns: the Optuna study and the refitted best model.

    Attributes
    ----------
    study : optuna.study.Study
        Every trial, with ``user_attrs["fold_scores"]`` per completed trial.
    best_estimator : estimator or None
        A clone with the best parameters, fitted on all data (``None`` when
        ``refit=False``).
    best_params : dict
        The best parameters, decoded for ``set_params``.
    best_score : float
        Mean cross-validated score of the best trial (greater is better).
    """

    study: Any
    best_estimator: Any
    best_params: dict
    best_score: float


@Substitution(random_state=_random_state_docstring, n_jobs=_n_jobs_docstring)
def tune(
    estimator,
    X,
    y=None,
    *,
    space=None,
    cv=None,
    scoring=None,
    n_trials=20,
    timeout=None,
    params=None,
    storage=None,
    study_name=None,
    load_if_exists=False,
    sampler=None,
    pruner=None,
    catch=(),
    refit=True,
    n_jobs=None,
    random_state=None,
    verbose=0,
):
    """Tune an estimator's hyperparameters with Optuna and cross-validation.

    Each trial draws parameters from ``space`` and scores
    ``clone(estimator).set_params(**trial_params)`` by cross-validation on the
    same folds (computed once), maximising the mean score. With a ``pruner``,
    the running mean is reported after every fold
    (``trial.report(mean_so_far, step=fold)``), so hopeless trials stop early;
    the folds then run one after the other.

    Parameters
    ----------
    estimator : estimator instance
        Unfitted estimator (or pipeline) to tune.
    X : array-like or light-curve frame
        Training input, indexed by rows.
    y : array-like of shape (n_samples,), default=None
        Target.
    space : dict, default=None
        ``{{param: distribution}}``, see :mod:`skrrl.tuning`; ``None`` uses
        :func:`get_search_space`.
    cv : int, cross-validation generator or iterable, default=None
        ``None`` or an int ``k``: :class:`~skrrl.model_selection.BinnedStratifiedKFold`
        with 5 or ``k`` folds, seeded with ``random_state``.
    scoring : str or callable, default=None
        A :func:`skrrl.metrics.get_scorer` name (scikit-learn names work too) or
        a scorer; ``None`` uses ``estimator.score``.
    n_trials : int or None, default=20
        Number of trials of this call (added to a resumed study).
    timeout : float, default=None
        Stop after this many seconds.
    params : dict, default=None
        Metadata such as ``{{"sample_weight": w}}``, routed like
        ``cross_validate(params=...)`` (all to ``fit`` when metadata routing is
        off) and used for the final refit.
    storage : str or optuna.storages.BaseStorage, default=None
        Where trials are kept: ``None`` in memory, an SQLAlchemy URL such as
        ``"sqlite:///study.db"``, or e.g. an
        ``optuna.storages.JournalStorage`` for several processes.
    study_name : str, default=None
        Name of the study in ``storage``.
    load_if_exists : bool, default=False
        Resume the study ``study_name`` when it exists in ``storage``.
    sampler : optuna.samplers.BaseSampler, default=None
        ``None`` uses ``TPESampler(seed=...)`` seeded from ``random_state``.
    pruner : optuna.pruners.BasePruner, default=None
        E.g. ``optuna.pruners.MedianPruner()``; ``None`` never prunes.
    catch : tuple of exception types, default=()
        Exceptions that mark a trial failed instead of stopping the study.
    refit : bool, default=True
        Fit the best parameters on all of ``X, y``.
    {n_jobs}
        Folds fitted in parallel (only without a pruner).
    {random_state}
    verbose : int, default=0
        0 keeps Optuna's per-trial log quiet; 1 shows it.

    Returns
    -------
    result : TuneResult
        ``(study, best_estimator, best_params, best_score)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from skrrl.tuning import tune
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(80, 3))
    >>> y = X @ [0.3, -0.2, 0.1] - 1.5 + rng.normal(0, 0.05, 80)
    >>> result = tune(Ridge(), X, y, n_trials=5, random_state=0)
    >>> len(result.study.trials), sorted(result.best_params)
    (5, ['alpha'])
    """
    import optuna

    space = get_search_space(estimator) if space is None else dict(space)
    scorer = _resolve_scoring(scoring)
    params = {} if params is None else dict(params)
    folds = _folds(cv, X, y, random_state)
    if sampler is None:
        seed = None if random_state is None else _seed(random_state)
        sampler = optuna.samplers.TPESampler(seed=seed)
    study = optuna.create_study(
        storage=storage,
        study_name=study_name,
        load_if_exists=load_if_exists,
        sampler=sampler,
        pruner=pruner if pruner is not None else optuna.pruners.NopPruner(),
        direction="maximize",
    )

    def objective(trial):
        trial_params = suggest_params(trial, space)
        candidate = clone(estimator).set_params(**trial_params)
        if pruner is None:
            scores = _cv_scores(candidate, X, y, folds, scorer, params, n_jobs)
        else:
            scores = []
            for step, fold in enumerate(folds):
                scores.extend(_cv_scores(candidate, X, y, [fold], scorer, params, None))
                trial.report(float(np.mean(scores)), step)
                if trial.should_prune():
                    raise optuna.TrialPruned()
        trial.set_user_attr("fold_scores", [float(s) for s in scores])
        trial.set_user_attr("std_score", float(np.std(scores)))
        return float(np.mean(scores))

    optuna_logger = logging.getLogger("optuna")
    level = optuna_logger.level
    if not verbose:
        optuna_logger.setLevel(logging.WARNING)
    try:
        study.optimize(objective, n_trials=n_trials, timeout=timeout, catch=catch)
    finally:
        optuna_logger.setLevel(level)

    best_params = decode_params(space, study.best_params)
    best_estimator = None
    if refit:
        best_estimator = clone(estimator).set_params(**best_params)
        best_estimator.fit(X, y, **_fit_params(best_estimator, params))
    return TuneResult(study, best_estimator, best_params, float(study.best_value))


def _resolve_scoring(scoring):
    if isinstance(scoring, str):
        from skrrl.metrics import get_scorer

        return get_scorer(scoring)
    return scoring


def _folds(cv, X, y, random_state):
    if cv is None or isinstance(cv, int | np.integer):
        n_splits = 5 if cv is None else int(cv)
        seed = None if random_state is None else _seed(random_state)
        cv = BinnedStratifiedKFold(n_splits, random_state=seed)
    if hasattr(cv, "split"):
        return list(cv.split(X, y))
    return list(cv)


def _seed(random_state):
    if isinstance(random_state, int | np.integer):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _cv_scores(estimator, X, y, folds, scorer, params, n_jobs):
    result = cross_validate(
        estimator,
        X,
        y,
        cv=folds,
        scoring=scorer,
        params=params,
        n_jobs=n_jobs,
        error_score="raise",
    )
    return list(result["test_score"])


def _fit_params(estimator, params):
    """The metadata ``fit`` receives, as in ``cross_validate``."""
    if not params or not get_config()["enable_metadata_routing"]:
        return params
    router = MetadataRouter(owner="tune").add(
        estimator=estimator,
        method_mapping=MethodMapping().add(caller="fit", callee="fit"),
    )
    # metadata meant only for the scorers (not requested by fit) is left out
    consumed = router.consumes(method="fit", params=params.keys())
    routed = process_routing(
        _Routed(router), "fit", **{key: params[key] for key in consumed}
    )
    return routed.estimator.fit


class _Routed:
    """Minimal router owner: ``process_routing`` needs ``get_metadata_routing``."""

    def __init__(self, router):
        self._router = router

    def get_metadata_routing(self):
        return self._router
