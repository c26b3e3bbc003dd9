"""GRU and bidirectional GRU regressors (Monti et al. 2024)."""

from skrrl.neural._base import (
    _BaseNeuralRegressor,
    _training_docstrings,
    _training_notes,
)
from skrrl.neural.networks.rnn import RNNNetwork
from skrrl.utils._docstring import Substitution

_rnn_docstrings = {
    "dropout": """dropout : float or tuple of float, default={dropout}
        Dropout after each recurrent layer.""",
    "penalties": """kernel_l1, kernel_l2, recurrent_l1, recurrent_l2 : float
        L1/L2 penalties on the input (kernel) and recurrent weights of every
        layer, added to the training loss (Keras' ``kernel_regularizer`` and
        ``recurrent_regularizer``).""",
}


class _BaseRNNRegressor(_BaseNeuralRegressor):
    _cell = "gru"
    _bidirectional = False
    # the fused recurrences gain from a second thread, not from more
    _auto_threads = 2

    def __init__(
        self,
        *,
        hidden_sizes,
        dropout,
        kernel_l1,
        kernel_l2,
        recurrent_l1,
        recurrent_l2,
        **training,
    ):
        self.hidden_sizes = hidden_sizes
        self.dropout = dropout
        self.kernel_l1 = kernel_l1
        self.kernel_l2 = kernel_l2
        self.recurrent_l1 = recurrent_l1
        self.recurrent_l2 = recurrent_l2
        super().__init__(**training)

    def _build_module(self, n_channels, n_timepoints):
        return RNNNetwork(
            n_channels,
            n_timepoints,
            cell=self._cell,
            bidirectional=self._bidirectional,
            hidden_sizes=self.hidden_sizes,
            dropout=self.dropout,
            kernel_l1=self.kernel_l1,
            kernel_l2=self.kernel_l2,
            recurrent_l1=self.recurrent_l1,
            recurrent_l2=self.recurrent_l2,
        )


@Substitution(
    dropout=_rnn_docstrings["dropout"].format(dropout="(0.2, 0.2, 0.1)"),
    penalties=_rnn_docstrings["penalties"],
    notes=_training_notes,
    **_training_docstrings,
)
class GRURegressor(_BaseRNNRegressor):
    """Stacked GRU regressor; the defaults are the paper's best model.

    GRU(20) - dropout 0.2 - GRU(16) - dropout 0.2 - GRU(8) - dropout 0.1 -
    Dense(1), with an L2 penalty 2e-6 on the input kernels and an L1 penalty
    2e-6 on the recurrent kernels of every layer (Monti et al. 2024).

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(20, 16, 8)
        Units of each recurrent layer.
    {dropout}
    {penalties}
        Defaults: ``kernel_l1=0``, ``kernel_l2=2e-6``, ``recurrent_l1=2e-6``,
        ``recurrent_l2=0``.
    {lr}
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
    net_ : skorch.NeuralNetRegressor
        The trained net (``net_.module_`` is the
        :class:`~skrrl.neural.networks.rnn.RNNNetwork`, ``net_.history`` the
        losses per epoch).
    n_features_in_ : int
        Timepoints (2D input) or channels (3D input) seen in ``fit``.
    n_channels_, n_timepoints_ : int
        Input shape seen in ``fit``.
    n_epochs_ : int
        Epochs trained.

    See Also
    --------
    BiGRURegressor, LSTMRegressor

    Notes
    -----
    {notes}

    References
    ----------
    L. Monti et al., "Gaia DR3 RR Lyrae photometric metallicities with deep
    learning", Sensors 24, 5203 (2024).

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import GRURegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 12))
    >>> y = X.mean(axis=1)
    >>> reg = GRURegressor(hidden_sizes=(4,), dropout=0.0, max_epochs=3,
    ...                    random_state=0, device="cpu").fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    def __init__(
        self,
        *,
        hidden_sizes=(20, 16, 8),
        dropout=(0.2, 0.2, 0.1),
        kernel_l1=0.0,
        kernel_l2=2e-6,
        recurrent_l1=2e-6,
        recurrent_l2=0.0,
        lr=0.01,
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
            kernel_l1=kernel_l1,
            kernel_l2=kernel_l2,
            recurrent_l1=recurrent_l1,
            recurrent_l2=recurrent_l2,
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
    dropout=_rnn_docstrings["dropout"].format(dropout="(0.2, 0.2, 0.1)"),
    penalties=_rnn_docstrings["penalties"],
    notes=_training_notes,
    **_training_docstrings,
)
class BiGRURegressor(_BaseRNNRegressor):
    """Stacked bidirectional GRU regressor (the paper's BiGRU).

    Bi-GRU(20) - dropout 0.2 - Bi-GRU(16) - dropout 0.2 - Bi-GRU(16) - dropout
    0.1 - Dense(1), with L1 penalties 2e-6 on the input and recurrent kernels
    (Monti et al. 2024).

    Parameters
    ----------
    hidden_sizes : tuple of int, default=(20, 16, 16)
        Units per direction of each recurrent layer.
    {dropout}
    {penalties}
        Defaults: ``kernel_l1=2e-6``, ``kernel_l2=0``, ``recurrent_l1=2e-6``,
        ``recurrent_l2=0``.
    {lr}
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
    net_ : skorch.NeuralNetRegressor
        The trained net.
    n_features_in_ : int
        Timepoints (2D input) or channels (3D input) seen in ``fit``.
    n_channels_, n_timepoints_ : int
        Input shape seen in ``fit``.
    n_epochs_ : int
        Epochs trained.

    See Also
    --------
    GRURegressor, BiLSTMRegressor

    Notes
    -----
    {notes}

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import BiGRURegressor
    >>> X = np.random.RandomState(0).normal(size=(40, 12))
    >>> reg = BiGRURegressor(hidden_sizes=(4,), dropout=0.0, max_epochs=2,
    ...                      random_state=0, device="cpu").fit(X, X[:, 0])
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    _bidirectional = True

    def __init__(
        self,
        *,
        hidden_sizes=(20, 16, 16),
        dropout=(0.2, 0.2, 0.1),
        kernel_l1=2e-6,
        kernel_l2=0.0,
        recurrent_l1=2e-6,
        recurrent_l2=0.0,
        lr=0.01,
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
            kernel_l1=kernel_l1,
            kernel_l2=kernel_l2,
            recurrent_l1=recurrent_l1,
            recurrent_l2=recurrent_l2,
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
