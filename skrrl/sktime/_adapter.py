"""sktime ``BaseRegressor`` adapter around the skrrl neural regressors."""

import numpy as np
from sklearn.base import clone
from sktime.regression.base import BaseRegressor

#: The tiny, seeded settings of ``get_test_params`` (sktime's fixtures have 10
#: training series of 10-20 timepoints, one or two channels).
_TINY = {
    "max_epochs": 2,
    "batch_size": 8,
    "random_state": 0,
    "device": "cpu",
}


def _skrrl_regressor(name, **params):
    from skrrl import neural

    return getattr(neural, name)(**params)


def to_padded_numpy3d(X):
    """Turn an sktime numpy3D or pd-multiindex panel into a NaN-padded 3D array.

    Parameters
    ----------
    X : ndarray of shape (n_instances, n_channels, n_timepoints) or pandas.DataFrame
        numpy3D, or pd-multiindex (instance, time) rows with one column per
        channel; series of unequal length are padded at the end with NaN.

    Returns
    -------
    ndarray of shape (n_instances, n_channels, max_n_timepoints), dtype float64

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.MultiIndex.from_tuples([(0, 0), (0, 1), (1, 0)])
    >>> to_padded_numpy3d(pd.DataFrame({"mag": [1.0, 2.0, 3.0]}, index=idx))
    array([[[ 1.,  2.]],
    <BLANKLINE>
           [[ 3., nan]]])
    """
    if isinstance(X, np.ndarray):
        return np.asarray(X, dtype=np.float64)
    series = [g.to_numpy(dtype=np.float64).T for _, g in X.groupby(level=0, sort=False)]
    n_max = max(s.shape[1] for s in series)
    out = np.full((len(series), X.shape[1], n_max), np.nan)
    for i, s in enumerate(series):
        out[i, :, : s.shape[1]] = s
    return out


class SkrrlSktimeRegressor(BaseRegressor):
    """sktime regressor wrapping a skrrl neural regressor.

    The skrrl estimator keeps all hyperparameters (reach them with nested names,
    e.g. ``estimator__lr``); this adapter only converts sktime panels to the
    NaN-padded ``(n_instances, n_channels, n_timepoints)`` arrays the skrrl
    regressors take, so multivariate and unequal-length panels both work.

    Parameters
    ----------
    estimator : skrrl regressor, default=None
        Unfitted skrrl neural regressor, cloned in ``fit``. ``None`` uses the
        class's default architecture (``GRURegressor()`` here).
    random_state : int, RandomState instance or None, default=None
        When not None, replaces the ``random_state`` of the wrapped estimator
        (sktime's convention for seeding); None keeps the estimator's own.

    Attributes
    ----------
    estimator_ : skrrl regressor
        The fitted clone.

    See Also
    --------
    skrrl.neural.GRURegressor : The paper's best network.

    Notes
    -----
    sktime's ``fit(X, y)`` takes no sample weights; fit the skrrl estimator itself
    (through scikit-learn) when weights are needed.

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import GRURegressor
    >>> from skrrl.sktime import SkrrlSktimeRegressor
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(20, 1, 15)), rng.normal(size=20)
    >>> est = GRURegressor(max_epochs=1, random_state=0)
    >>> reg = SkrrlSktimeRegressor(estimator=est).fit(X, y)
    >>> reg.predict(X).shape
    (20,)
    """

    _default_estimator = "GRURegressor"

    _tags = {
        "authors": "skrrl developers",
        "maintainers": "skrrl developers",
        "python_dependencies": ["torch", "skorch"],
        "X_inner_mtype": ["pd-multiindex", "numpy3D"],
        "y_inner_mtype": "numpy1D",
        "capability:multivariate": True,
        "capability:unequal_length": True,
        "capability:missing_values": False,
        "capability:random_state": True,
        "property:randomness": "derandomized",
    }

    def __init__(self, estimator=None, random_state=None):
        self.estimator = estimator
        self.random_state = random_state
        super().__init__()

    def _fit(self, X, y):
        estimator = self.estimator
        if estimator is None:
            estimator = _skrrl_regressor(self._default_estimator)
        estimator = clone(estimator)
        if self.random_state is not None:
            estimator.set_params(random_state=self.random_state)
        self.estimator_ = estimator.fit(to_padded_numpy3d(X), y)
        return self

    def _predict(self, X):
        X = to_padded_numpy3d(X)
        # unequal-length panels: pad to the length seen in fit (longer raises)
        missing = self.estimator_.n_timepoints_ - X.shape[2]
        if missing > 0:
            X = np.pad(X, ((0, 0), (0, 0), (0, missing)), constant_values=np.nan)
        return np.asarray(self.estimator_.predict(X), dtype=float)

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Tiny, seeded parameter sets for sktime's ``check_estimator``.

        Parameters
        ----------
        parameter_set : str, default="default"
            Name of the set (only ``"default"``).

        Returns
        -------
        list of dict
            Two parameter sets.
        """
        name = cls._default_estimator
        extra = _TEST_ARCHITECTURES.get(name, {})
        return [
            {"estimator": _skrrl_regressor(name, **_TINY, **extra)},
            {
                "estimator": _skrrl_regressor(name, **{**_TINY, "lr": 0.003}, **extra),
                "random_state": 1,
            },
        ]


#: Small architectures for the test parameter sets.
_TEST_ARCHITECTURES = {
    "GRURegressor": {"hidden_sizes": (4, 4), "dropout": 0.0},
    "InceptionTimeRegressor": {"n_filters": 4, "depth": 3, "bottleneck_size": 4},
    "TransformerRegressor": {
        "d_model": 8,
        "n_heads": 2,
        "n_layers": 1,
        "dim_feedforward": 16,
        "head_sizes": (8,),
    },
}


class InceptionTimeSktimeRegressor(SkrrlSktimeRegressor):
    """sktime InceptionTime regressor (a skrrl ``InceptionTimeRegressor`` inside).

    Parameters
    ----------
    estimator : InceptionTimeRegressor, default=None
        Unfitted skrrl regressor; ``None`` uses ``InceptionTimeRegressor()``.
    random_state : int, RandomState instance or None, default=None
        When not None, replaces the wrapped estimator's ``random_state``.

    Attributes
    ----------
    estimator_ : skrrl regressor
        The fitted clone.

    See Also
    --------
    SkrrlSktimeRegressor : The generic adapter.

    Examples
    --------
    >>> from skrrl.sktime import InceptionTimeSktimeRegressor
    >>> InceptionTimeSktimeRegressor().get_tag("capability:unequal_length")
    True
    """

    _default_estimator = "InceptionTimeRegressor"


class TransformerSktimeRegressor(SkrrlSktimeRegressor):
    """sktime Transformer regressor (a skrrl ``TransformerRegressor`` inside).

    Parameters
    ----------
    estimator : TransformerRegressor, default=None
        Unfitted skrrl regressor; ``None`` uses ``TransformerRegressor()``.
    random_state : int, RandomState instance or None, default=None
        When not None, replaces the wrapped estimator's ``random_state``.

    Attributes
    ----------
    estimator_ : skrrl regressor
        The fitted clone.

    See Also
    --------
    SkrrlSktimeRegressor : The generic adapter.

    Examples
    --------
    >>> from skrrl.sktime import TransformerSktimeRegressor
    >>> TransformerSktimeRegressor().get_tag("capability:multivariate")
    True
    """

    _default_estimator = "TransformerRegressor"
