"""Dense regressors for tabular features (e.g. parallax from Gaia columns)."""

from skrrl.neural._base import (
    _BaseNeuralRegressor,
    _fitted_attributes,
    _training_docstrings,
)
from skrrl.neural.networks.mlp import MLPNetwork
from skrrl.utils._docstring import Substitution

_mlp_docstrings = {
    "activation": """batch_norm : bool, default={batch_norm}
        Batch normalisation before each activation.
    activation : {{"relu", "tanh", "gelu", "elu"}}, default="relu"
        Hidden activation.""",
    "attributes": _fitted_attributes,
    "notes": """Training minimises the weighted mean squared error of each
    mini-batch, ``sum_i w_i (y_i - f(x_i))**2 / sum_i w_i``, with the
    ``sample_weight`` passed to ``fit``; zero-weight rows are removed first.
    NaN in ``X`` raises a ``ValueError`` (impute first). Features are used as
    given: put a ``StandardScaler`` in front in a ``Pipeline``.""",
    **_training_docstrings,
}


class _BaseMLPRegressor(_BaseNeuralRegressor):
    _allow_padding = False

    def __init__(self, *, hidden_sizes, dropout, batch_norm, activation, **training):
        self.hidden_sizes = hidden_sizes
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.activation = activation
        super().__init__(**training)

    def _build_module(self, n_channels, n_timepoints):
        return MLPNetwork(
            n_channels,
            n_timepoints,
            hidden_sizes=self.hidden_sizes,
            dropout=self.dropout,
            batch_norm=self.batch_norm,
            activation=self.activation,
        )


@Substitution(
    activation_=_mlp_docstrings["activation"].format(batch_norm="False"),
    **_mlp_docstrings,
)
class MLPRegressor(_BaseMLPRegressor):
    """Multilayer perceptron regressor for numeric tabular features.

    One hidden layer of 100 ReLU units by default, trained with the shared
    skrrl loop (weighted per-batch MSE, seeded early stopping, any device).

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(100,)
        Width of each hidden layer.
    dropout : float or tuple of float, default=0.0
        Dropout after each hidden layer.
    {activation_}
    lr : float, default=0.001
        Learning rate.
    {batch_size}
    {max_epochs}
    {patience}
    {validation_fraction}
    {optimizer}
    {weight_decay}
    {lr_schedule}
    {random_state}
    {device}
    {n_threads}
    {verbose}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    DNNRegressor : Deeper network with batch normalisation and dropout.

    Notes
    -----
    {notes}

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import MLPRegressor
    >>> X = np.random.RandomState(0).normal(size=(50, 4))
    >>> reg = MLPRegressor(hidden_sizes=(8,), max_epochs=2, random_state=0,
    ...                    device="cpu").fit(X, X @ [1.0, 2.0, 0.0, -1.0])
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    def __init__(
        self,
        *,
        hidden_sizes=(100,),
        dropout=0.0,
        batch_norm=False,
        activation="relu",
        lr=0.001,
        batch_size=256,
        max_epochs=500,
        patience=50,
        validation_fraction=0.1,
        optimizer="adam",
        weight_decay=0.0,
        lr_schedule=None,
        random_state=None,
        device="auto",
        n_threads="auto",
        verbose=0,
    ):
        super().__init__(
            hidden_sizes=hidden_sizes,
            dropout=dropout,
            batch_norm=batch_norm,
            activation=activation,
            lr=lr,
            batch_size=batch_size,
            max_epochs=max_epochs,
            patience=patience,
            validation_fraction=validation_fraction,
            optimizer=optimizer,
            weight_decay=weight_decay,
            lr_schedule=lr_schedule,
            random_state=random_state,
            device=device,
            n_threads=n_threads,
            verbose=verbose,
        )


@Substitution(
    activation_=_mlp_docstrings["activation"].format(batch_norm="True"),
    **_mlp_docstrings,
)
class DNNRegressor(_BaseMLPRegressor):
    """Deep dense regressor for numeric tabular features.

    Four hidden layers (256, 128, 64, 32), each Linear - BatchNorm - ReLU -
    Dropout 0.1, for larger tabular problems such as parallax regression from
    Gaia photometric and astrometric columns.

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(256, 128, 64, 32)
        Width of each hidden layer.
    dropout : float or tuple of float, default=0.1
        Dropout after each hidden layer.
    {activation_}
    lr : float, default=0.001
        Learning rate.
    {batch_size}
    {max_epochs}
    {patience}
    {validation_fraction}
    {optimizer}
    {weight_decay}
    {lr_schedule}
    {random_state}
    {device}
    {n_threads}
    {verbose}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    MLPRegressor : Shallow network.

    Notes
    -----
    {notes}

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import DNNRegressor
    >>> X = np.random.RandomState(0).normal(size=(50, 4))
    >>> reg = DNNRegressor(hidden_sizes=(8, 4), max_epochs=2, random_state=0,
    ...                    device="cpu").fit(X, X @ [1.0, 2.0, 0.0, -1.0])
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    def __init__(
        self,
        *,
        hidden_sizes=(256, 128, 64, 32),
        dropout=0.1,
        batch_norm=True,
        activation="relu",
        lr=0.001,
        batch_size=256,
        max_epochs=500,
        patience=50,
        validation_fraction=0.1,
        optimizer="adam",
        weight_decay=0.0,
        lr_schedule=None,
        random_state=None,
        device="auto",
        n_threads="auto",
        verbose=0,
    ):
        super().__init__(
            hidden_sizes=hidden_sizes,
            dropout=dropout,
            batch_norm=batch_norm,
            activation=activation,
            lr=lr,
            batch_size=batch_size,
            max_epochs=max_epochs,
            patience=patience,
            validation_fraction=validation_fraction,
            optimizer=optimizer,
            weight_decay=weight_decay,
            lr_schedule=lr_schedule,
            random_state=random_state,
            device=device,
            n_threads=n_threads,
            verbose=verbose,
        )
