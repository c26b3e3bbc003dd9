"""Save and load fitted skrrl deep regressors without pickle.

A saved model is one file written by :func:`torch.save`: the constructor
parameters and fitted metadata as a JSON string, and the network's
``state_dict``. Loading rebuilds the estimator from its parameters and reads the
file with ``torch.load(weights_only=True)``, so no code is unpickled and the
file survives new Python, torch and skrrl versions as long as the architecture
is unchanged.
"""

import importlib
import json
import warnings

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

import skrrl
from skrrl.neural._base import _BaseNeuralRegressor
from skrrl.neural._skorch import _resolve_device

_FORMAT = 1
_FITTED = ("n_features_in_", "n_channels_", "n_timepoints_", "n_epochs_")


def _to_json(name, value):
    if isinstance(value, tuple | list):
        return [_to_json(name, v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(
        f"save_model stores parameters as JSON; parameter {name!r}={value!r} is not "
        "a number, string, bool, None or tuple of those. Use pickle for this model."
    )


def _from_json(value):
    # every sequence parameter of skrrl estimators is a tuple
    return tuple(_from_json(v) for v in value) if isinstance(value, list) else value


def save_model(estimator, path):
    """Save a fitted skrrl deep regressor to ``path``.

    Parameters
    ----------
    estimator : skrrl deep regressor
        A fitted estimator of :mod:`skrrl.neural` (e.g. ``GRURegressor``).
    path : str or path-like
        File to write (conventionally ``*.pt``).

    Raises
    ------
    TypeError
        If ``estimator`` is not a skrrl deep regressor or has a parameter that is
        not JSON serialisable (pickle such models instead).

    See Also
    --------
    load_model : Reads it back.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from skrrl.neural import GRURegressor, save_model, load_model
    >>> X = np.random.RandomState(0).normal(size=(30, 8))
    >>> reg = GRURegressor(hidden_sizes=(4,), dropout=0.0, max_epochs=2,
    ...                    random_state=0, device="cpu").fit(X, X[:, -1])
    >>> path = os.path.join(tempfile.mkdtemp(), "gru.pt")
    >>> save_model(reg, path)
    >>> np.array_equal(load_model(path).predict(X), reg.predict(X))
    True
    """
    if not isinstance(estimator, _BaseNeuralRegressor):
        raise TypeError(
            "save_model expects a skrrl deep regressor (skrrl.neural); got "
            f"{type(estimator).__name__}. Use pickle or joblib for other estimators."
        )
    check_is_fitted(estimator)
    params = {k: _to_json(k, v) for k, v in estimator.get_params(deep=False).items()}
    fitted = {k: int(getattr(estimator, k)) for k in _FITTED}
    if hasattr(estimator, "feature_names_in_"):
        fitted["feature_names_in_"] = [str(f) for f in estimator.feature_names_in_]
    cls = type(estimator)
    metadata = {
        "format": _FORMAT,
        "skrrl_version": skrrl.__version__,
        "torch_version": torch.__version__,
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "params": params,
        "fitted": fitted,
    }
    state = {
        k: v.detach().cpu() for k, v in estimator.net_.module_.state_dict().items()
    }
    torch.save({"metadata": json.dumps(metadata), "state_dict": state}, path)


def load_model(path, *, device=None):
    """Load a regressor written by :func:`save_model`.

    Parameters
    ----------
    path : str or path-like
        File written by :func:`save_model`.
    device : str, default=None
        Device of the loaded model; ``None`` keeps the saved ``device``
        parameter (``"auto"`` picks CUDA when available).

    Returns
    -------
    estimator : skrrl deep regressor
        Fitted, ready to ``predict`` (its training history is not saved).

    Raises
    ------
    ValueError
        If the file is not a skrrl model file or has an unknown format version.

    Warns
    -----
    UserWarning
        When the file was written by another skrrl version. Predictions are
        unaffected as long as the architecture is unchanged; a changed
        architecture makes loading fail with a ``RuntimeError`` from torch.

    See Also
    --------
    save_model : Writes the file.
    """
    content = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(content, dict) or set(content) != {"metadata", "state_dict"}:
        raise ValueError(f"{path!s} is not a model file written by save_model.")
    metadata = json.loads(content["metadata"])
    if metadata.get("format") != _FORMAT:
        raise ValueError(
            f"{path!s} has model format {metadata.get('format')!r}; this skrrl "
            f"({skrrl.__version__}) reads format {_FORMAT}."
        )
    if metadata["skrrl_version"] != skrrl.__version__:
        warnings.warn(
            f"{path!s} was saved with skrrl {metadata['skrrl_version']}; loading it "
            f"with skrrl {skrrl.__version__}.",
            UserWarning,
            stacklevel=2,
        )
    module_name, _, class_name = metadata["class"].rpartition(".")
    if not module_name.startswith("skrrl."):
        raise ValueError(f"{path!s} names a class outside skrrl: {metadata['class']}.")
    cls = getattr(importlib.import_module(module_name), class_name)
    if not (isinstance(cls, type) and issubclass(cls, _BaseNeuralRegressor)):
        raise ValueError(f"{metadata['class']} is not a skrrl deep regressor.")

    estimator = cls(**{k: _from_json(v) for k, v in metadata["params"].items()})
    if device is not None:
        estimator.set_params(device=device)
    for name, value in metadata["fitted"].items():
        value = (
            np.asarray(value, dtype=object) if name == "feature_names_in_" else value
        )
        setattr(estimator, name, value)
    with torch.random.fork_rng(devices=[]):
        module = estimator._build_module(estimator.n_channels_, estimator.n_timepoints_)
    module.load_state_dict(content["state_dict"])
    net = estimator._make_net(module, _resolve_device(estimator.device))
    net.initialize()
    net.module_.eval()
    estimator.net_ = net
    return estimator
