"""Fully convolutional network regressor (Wang et al. 2017)."""

from skrrl.neural._base import (
    _BaseNeuralRegressor,
    _fitted_attributes,
    _training_docstrings,
    _training_notes,
)
from skrrl.neural.networks.fcn import FCNNetwork
from skrrl.utils._docstring import Substitution


@Substitution(
    attributes=_fitted_attributes, notes=_training_notes, **_training_docstrings
)
class FCNRegressor(_BaseNeuralRegressor):
    """Fully convolutional network regressor.

    Three Conv1d - BatchNorm - ReLU blocks (128, 256, 128 filters; kernels 8,
    5, 3), global average pooling over the valid steps, Dense(1), as in the
    seed code's FCN (Wang et al. 2017; Fawaz et al. 2019).

    Parameters
    ----------
    filters : tuple of int, default=(128, 256, 128)
        Output channels of each convolution block.
    kernel_sizes : tuple of int, default=(8, 5, 3)
        Kernel size of each block.
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
    ResNetRegressor, ConvGRURegressor

    Notes
    -----
    {notes}

    References
    ----------
    Z. Wang, W. Yan and T. Oates, "Time series classification from scratch with
    deep neural networks: a strong baseline", IJCNN (2017).

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import FCNRegressor
    >>> X = np.random.RandomState(0).normal(size=(40, 12))
    >>> reg = FCNRegressor(filters=(4, 4), kernel_sizes=(3, 3), max_epochs=2,
    ...                    random_state=0, device="cpu").fit(X, X.mean(axis=1))
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    def __init__(
        self,
        *,
        filters=(128, 256, 128),
        kernel_sizes=(8, 5, 3),
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
        return FCNNetwork(
            n_channels,
            n_timepoints,
            filters=self.filters,
            kernel_sizes=self.kernel_sizes,
        )
