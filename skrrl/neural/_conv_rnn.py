"""Convolutional-recurrent regressors: ConvGRU and ConvLSTM (Monti et al. 2024)."""

from skrrl.neural._base import (
    _BaseNeuralRegressor,
    _fitted_attributes,
    _training_docstrings,
    _training_notes,
)
from skrrl.neural.networks.conv_rnn import ConvRNNNetwork
from skrrl.utils._docstring import Substitution

_conv_rnn_docstrings = {
    "architecture": """filters : tuple of int, default=(128, 256, 128)
        Output channels of each Conv1d - BatchNorm - ReLU block.
    kernel_sizes : tuple of int, default=(8, 5, 3)
        Kernel size of each block.
    pool_size : int, default=2
        Max-pooling window between the convolutions and the recurrences.
    hidden_sizes : tuple of int, default=(8, 4)
        Units of each recurrent layer.
    dropout : float or tuple of float, default=0.0
        Dropout after each recurrent layer.""",
    "attributes": _fitted_attributes,
    "notes": _training_notes,
    **_training_docstrings,
}


class _BaseConvRNNRegressor(_BaseNeuralRegressor):
    _cell = "gru"

    def __init__(
        self,
        *,
        filters=(128, 256, 128),
        kernel_sizes=(8, 5, 3),
        pool_size=2,
        hidden_sizes=(8, 4),
        dropout=0.0,
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
        self.filters = filters
        self.kernel_sizes = kernel_sizes
        self.pool_size = pool_size
        self.hidden_sizes = hidden_sizes
        self.dropout = dropout
        super().__init__(
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

    def _build_module(self, n_channels, n_timepoints):
        return ConvRNNNetwork(
            n_channels,
            n_timepoints,
            cell=self._cell,
            filters=self.filters,
            kernel_sizes=self.kernel_sizes,
            pool_size=self.pool_size,
            hidden_sizes=self.hidden_sizes,
            dropout=self.dropout,
        )


@Substitution(**_conv_rnn_docstrings)
class ConvGRURegressor(_BaseConvRNNRegressor):
    """Convolutional GRU regressor: FCN blocks, max pooling, GRU(8) - GRU(4).

    The seed code's ConvGRU: the FCN convolution stack, max pooling, then a
    two-layer GRU and Dense(1). Padding is re-zeroed after every convolution
    and the pooled sequences are packed, so padded series match unpadded ones.

    Parameters
    ----------
    {architecture}
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
    ConvLSTMRegressor, FCNRegressor, GRURegressor

    Notes
    -----
    {notes}

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import ConvGRURegressor
    >>> X = np.random.RandomState(0).normal(size=(40, 12))
    >>> reg = ConvGRURegressor(filters=(4,), kernel_sizes=(3,), hidden_sizes=(3,),
    ...                        max_epochs=2, random_state=0, device="cpu")
    >>> reg.fit(X, X[:, 0]).predict(X[:2]).shape
    (2,)
    """

    _cell = "gru"


@Substitution(**_conv_rnn_docstrings)
class ConvLSTMRegressor(_BaseConvRNNRegressor):
    """Convolutional LSTM regressor: FCN blocks, max pooling, LSTM(8) - LSTM(4).

    The seed code's ConvLSTM: the FCN convolution stack, max pooling, then a
    two-layer LSTM and Dense(1). (A sequence model after convolutions, not the
    convolutional-gate ConvLSTM cell of Shi et al. 2015.)

    Parameters
    ----------
    {architecture}
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
    ConvGRURegressor, FCNRegressor, LSTMRegressor

    Notes
    -----
    {notes}

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import ConvLSTMRegressor
    >>> X = np.random.RandomState(0).normal(size=(40, 12))
    >>> reg = ConvLSTMRegressor(filters=(4,), kernel_sizes=(3,), hidden_sizes=(3,),
    ...                         max_epochs=2, random_state=0, device="cpu")
    >>> reg.fit(X, X[:, 0]).predict(X[:2]).shape
    (2,)
    """

    _cell = "lstm"
