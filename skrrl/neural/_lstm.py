"""LSTM and bidirectional LSTM regressors (Monti et al. 2024; Dekany & Grebel 2022)."""

from skrrl.neural._base import _training_docstrings, _training_notes
from skrrl.neural._gru import _BaseRNNRegressor, _rnn_docstrings
from skrrl.utils._docstring import Substitution

_lstm_docstrings = {
    "dropout": _rnn_docstrings["dropout"].format(dropout="(0.2, 0.2, 0.1)"),
    "penalties": _rnn_docstrings["penalties"],
    "notes": _training_notes,
    **_training_docstrings,
}
_attributes = """net_ : skorch.NeuralNetRegressor
        The trained net (``net_.module_`` is the
        :class:`~skrrl.neural.networks.rnn.RNNNetwork`).
    n_features_in_ : int
        Timepoints (2D input) or channels (3D input) seen in ``fit``.
    n_channels_, n_timepoints_ : int
        Input shape seen in ``fit``.
    n_epochs_ : int
        Epochs trained."""


@Substitution(attributes=_attributes, **_lstm_docstrings)
class LSTMRegressor(_BaseRNNRegressor):
    """Stacked LSTM regressor (the paper's LSTM: its GRU with LSTM cells).

    LSTM(20) - dropout 0.2 - LSTM(16) - dropout 0.2 - LSTM(8) - dropout 0.1 -
    Dense(1), L2 2e-6 on the input kernels, L1 2e-6 on the recurrent kernels.

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
    {attributes}

    See Also
    --------
    GRURegressor, BiLSTMRegressor

    Notes
    -----
    {notes}

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import LSTMRegressor
    >>> X = np.random.RandomState(0).normal(size=(40, 12))
    >>> reg = LSTMRegressor(hidden_sizes=(4,), dropout=0.0, max_epochs=2,
    ...                     random_state=0, device="cpu").fit(X, X[:, -1])
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    _cell = "lstm"

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


@Substitution(attributes=_attributes, **_lstm_docstrings)
class BiLSTMRegressor(_BaseRNNRegressor):
    """Stacked bidirectional LSTM regressor, LSTM cells in every layer.

    Bi-LSTM(20) - dropout 0.2 - Bi-LSTM(16) - dropout 0.2 - Bi-LSTM(16) -
    dropout 0.1 - Dense(1), L1 2e-6 on input and recurrent kernels. The
    original code's third layer was a bidirectional GRU (``bilstm.py`` L83);
    here it is an LSTM, as the name says. Dekany & Grebel (2022)'s best G-band
    model is ``hidden_sizes=(16, 16), dropout=(0.1, 0.1), kernel_l1=0,
    recurrent_l1=5e-6``.

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
    {attributes}

    See Also
    --------
    LSTMRegressor, BiGRURegressor

    Notes
    -----
    {notes}

    References
    ----------
    I. Dekany and E. K. Grebel, "Photometric metallicity prediction of
    fundamental-mode RR Lyrae stars in the Gaia optical and Kepler/K2 bands",
    ApJS 261, 33 (2022).

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import BiLSTMRegressor
    >>> X = np.random.RandomState(0).normal(size=(40, 12))
    >>> reg = BiLSTMRegressor(hidden_sizes=(4,), dropout=0.0, max_epochs=2,
    ...                       random_state=0, device="cpu").fit(X, X[:, 0])
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    _cell = "lstm"
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
