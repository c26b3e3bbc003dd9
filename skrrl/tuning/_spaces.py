"""Search spaces as plain data, and their translation into Optuna suggestions.

A space maps a ``set_params`` name to a distribution written as a dict:

- ``{"type": "float", "low": 1e-4, "high": 1e-1, "log": True}``
- ``{"type": "int", "low": 8, "high": 64, "step": 8}`` (``log`` allowed too)
- ``{"type": "categorical", "choices": [(20, 16, 8), (32, 16, 8)]}``

Categorical choices may be any Python values (tuples of layer sizes included):
Optuna sees their ``str`` labels, which every storage can persist, and the
labels are mapped back to the values. An ``optuna.distributions`` object is
accepted in place of a dict.
"""

from sklearn.pipeline import Pipeline

__all__ = ["SEARCH_SPACES", "decode_params", "get_search_space", "suggest_params"]

_LR = {"type": "float", "low": 1e-4, "high": 3e-2, "log": True}
_BATCH = {"type": "categorical", "choices": [64, 128, 256]}
_DECAY = {"type": "float", "low": 1e-7, "high": 1e-3, "log": True}
_RNN = {
    "lr": _LR,
    "batch_size": _BATCH,
    # three layers, so the default three-element dropout still fits
    "hidden_sizes": {
        "type": "categorical",
        "choices": [(20, 16, 8), (32, 16, 8), (16, 16, 16), (64, 32, 16)],
    },
    "recurrent_l1": {"type": "float", "low": 1e-8, "high": 1e-4, "log": True},
}
_CNN = {
    "lr": _LR,
    "batch_size": _BATCH,
    "weight_decay": _DECAY,
    "kernel_sizes": {
        "type": "categorical",
        "choices": [(8, 5, 3), (7, 5, 3), (5, 3, 3)],
    },
}

#: Default spaces, keyed by ``"<top-level package>.<subpackage>.<ClassName>"``.
#: Starting points for [Fe/H] regression, not tuned results; pass ``space=`` to
#: :func:`~skrrl.tuning.tune` to use your own.
SEARCH_SPACES = {
    "sklearn.linear_model.Ridge": {
        "alpha": {"type": "float", "low": 1e-4, "high": 1e3, "log": True},
    },
    "sklearn.svm.SVR": {
        "C": {"type": "float", "low": 1e-2, "high": 1e3, "log": True},
        "epsilon": {"type": "float", "low": 1e-3, "high": 0.3, "log": True},
        "gamma": {"type": "float", "low": 1e-4, "high": 1.0, "log": True},
    },
    "sklearn.ensemble.RandomForestRegressor": {
        "n_estimators": {"type": "int", "low": 100, "high": 800, "step": 100},
        "max_features": {"type": "float", "low": 0.1, "high": 1.0},
        "min_samples_leaf": {"type": "int", "low": 1, "high": 20, "log": True},
    },
    "skrrl.neural.GRURegressor": _RNN,
    "skrrl.neural.BiGRURegressor": _RNN,
    "skrrl.neural.LSTMRegressor": _RNN,
    "skrrl.neural.BiLSTMRegressor": _RNN,
    "skrrl.neural.FCNRegressor": _CNN,
    "skrrl.neural.ResNetRegressor": _CNN,
    "skrrl.neural.InceptionTimeRegressor": {
        "lr": _LR,
        "batch_size": _BATCH,
        "depth": {"type": "int", "low": 3, "high": 9, "step": 3},
        "n_filters": {"type": "categorical", "choices": [16, 32, 64]},
        "kernel_size": {"type": "categorical", "choices": [20, 40, 80]},
    },
    "skrrl.neural.TransformerRegressor": {
        "lr": _LR,
        "batch_size": _BATCH,
        "dropout": {"type": "float", "low": 0.0, "high": 0.3},
        "n_layers": {"type": "int", "low": 1, "high": 6},
        # every d_model choice is divisible by every n_heads choice
        "d_model": {"type": "categorical", "choices": [32, 64, 128]},
        "n_heads": {"type": "categorical", "choices": [2, 4, 8]},
    },
    "skrrl.neural.MLPRegressor": {
        "lr": _LR,
        "batch_size": _BATCH,
        "weight_decay": _DECAY,
        "dropout": {"type": "float", "low": 0.0, "high": 0.5},
        "hidden_sizes": {
            "type": "categorical",
            "choices": [(64,), (128,), (128, 64), (256, 128, 64)],
        },
    },
    "skrrl.neural.DNNRegressor": {
        "lr": _LR,
        "batch_size": _BATCH,
        "weight_decay": _DECAY,
        "dropout": {"type": "float", "low": 0.0, "high": 0.5},
    },
}


def get_search_space(estimator):
    """The default search space of an estimator, with nested parameter names.

    A :class:`~sklearn.pipeline.Pipeline` gets the space of its last step
    (``"<step>__<param>"``); a meta-estimator with a ``regressor`` parameter
    (such as :class:`~skrrl.weighting.DensityWeightedRegressor`) gets the space
    of that regressor (``"regressor__<param>"``).

    Parameters
    ----------
    estimator : estimator instance
        The estimator to tune.

    Returns
    -------
    space : dict
        ``{param: distribution}``, a copy of an entry of :data:`SEARCH_SPACES`.

    Raises
    ------
    KeyError
        When there is no default space for the estimator's class.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skrrl.tuning import get_search_space
    >>> list(get_search_space(make_pipeline(StandardScaler(), Ridge())))
    ['ridge__alpha']
    """
    if isinstance(estimator, Pipeline):
        name, last = estimator.steps[-1]
        return _prefixed(name, get_search_space(last))
    params = estimator.get_params(deep=False)
    if params.get("regressor") is not None and _key(estimator) not in SEARCH_SPACES:
        return _prefixed("regressor", get_search_space(params["regressor"]))
    key = _key(estimator)
    if key not in SEARCH_SPACES:
        raise KeyError(
            f"No default search space for {type(estimator).__name__} (looked up "
            f"{key!r}); pass space={{param: distribution}}. Known: "
            f"{sorted(SEARCH_SPACES)}."
        )
    return dict(SEARCH_SPACES[key])


def suggest_params(trial, space):
    """Ask an Optuna trial for one value of every parameter of ``space``.

    Parameters
    ----------
    trial : optuna.trial.Trial or optuna.trial.FixedTrial
        The trial.
    space : dict
        ``{param: distribution}`` (dicts as in the module docstring, or
        ``optuna.distributions`` objects).

    Returns
    -------
    params : dict
        ``{param: value}`` ready for ``set_params`` (categorical labels mapped
        back to their values).

    Examples
    --------
    >>> import optuna
    >>> from skrrl.tuning import suggest_params
    >>> space = {"hidden_sizes": {"type": "categorical", "choices": [(8,), (8, 4)]}}
    >>> suggest_params(optuna.trial.FixedTrial({"hidden_sizes": "(8, 4)"}), space)
    {'hidden_sizes': (8, 4)}
    """
    raw = {
        name: _suggest(trial, name, _as_dict(name, spec))
        for name, spec in space.items()
    }
    return decode_params(space, raw)


def decode_params(space, raw_params):
    """Map Optuna's stored values (categorical labels) back to parameter values.

    Parameters
    ----------
    space : dict
        The search space used.
    raw_params : dict
        Values as Optuna stores them, e.g. ``study.best_params``.

    Returns
    -------
    params : dict
        Values for ``set_params``.

    Examples
    --------
    >>> from skrrl.tuning import decode_params
    >>> space = {"sizes": {"type": "categorical", "choices": [(8,), (8, 4)]}}
    >>> decode_params(space, {"sizes": "(8,)"})
    {'sizes': (8,)}
    """
    params = {}
    for name, value in raw_params.items():
        spec = _as_dict(name, space[name]) if name in space else None
        if spec is not None and spec.get("type") == "categorical":
            labels = [str(choice) for choice in spec["choices"]]
            value = spec["choices"][labels.index(value)]
        params[name] = value
    return params


def _suggest(trial, name, spec):
    kind = spec.get("type")
    extra = {key: spec[key] for key in ("log", "step") if key in spec}
    if kind == "float":
        return trial.suggest_float(name, spec["low"], spec["high"], **extra)
    if kind == "int":
        return trial.suggest_int(name, spec["low"], spec["high"], **extra)
    if kind == "categorical":
        labels = [str(choice) for choice in spec["choices"]]
        if len(set(labels)) != len(labels):
            raise ValueError(f"space[{name!r}]: categorical choices print alike.")
        return trial.suggest_categorical(name, labels)
    raise ValueError(
        f"space[{name!r}] has type {kind!r}; expected 'float', 'int' or 'categorical'."
    )


def _as_dict(name, spec):
    if isinstance(spec, dict):
        return spec
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    if isinstance(spec, FloatDistribution | IntDistribution):
        kind = "float" if isinstance(spec, FloatDistribution) else "int"
        out = {"type": kind, "low": spec.low, "high": spec.high, "log": spec.log}
        if spec.step is not None:
            out["step"] = spec.step
        return out
    if isinstance(spec, CategoricalDistribution):
        return {"type": "categorical", "choices": list(spec.choices)}
    raise TypeError(
        f"space[{name!r}] must be a dict or an optuna distribution, got "
        f"{type(spec).__name__}."
    )


def _key(estimator):
    cls = type(estimator)
    top = cls.__module__.split(".")[0]
    for key in SEARCH_SPACES:
        if key.split(".")[0] == top and key.rsplit(".", 1)[-1] == cls.__name__:
            return key
    return f"{top}.{cls.__name__}"


def _prefixed(prefix, space):
    return {f"{prefix}__{name}": spec for name, spec in space.items()}
