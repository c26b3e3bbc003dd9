"""Informer encoder regressor (Zhou et al. 2021)."""

from skrrl.neural._base import (
    _BaseNeuralRegressor,
    _training_docstrings,
    _training_notes,
)
from skrrl.neural._transformer import _lr_docstring
from skrrl.neural.networks.informer import InformerNet
from skrrl.utils._docstring import Substitution


@Substitution(notes=_training_notes, **{**_training_docstrings, "lr": _lr_docstring})
class InformerRegressor(_BaseNeuralRegressor):
    """Informer encoder: ProbSparse self-attention with distilling, then pooling.

    In each encoder layer only the ``factor * ceil(ln L)`` most "active" queries
    (largest max-mean measurement) attend; the others return the mean of the
    values. Between layers a convolution, ELU and stride-2 max-pooling halve the
    sequence ("distilling"). The mean over valid timepoints feeds a linear layer.

    Parameters
    ----------
    d_model : int, default=64
        Model width (512 in Zhou et al. 2021).
    n_heads : int, default=4
        Attention heads (8 in the paper).
    n_layers : int, default=3
        Encoder layers; ``n_layers - 1`` distilling layers sit between them.
    d_ff : int, default=128
        Feed-forward width (2048 in the paper).
    factor : float, default=5
        ProbSparse sampling factor ``c`` (5 in the paper).
    dropout : float, default=0.05
        Dropout (0.05 in the paper).
    distil : bool, default=True
        Use the distilling layers.
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
        :class:`~skrrl.neural.networks.informer.InformerNet`).
    n_features_in_ : int
        Timepoints (2D input) or channels (3D input) seen in ``fit``.
    n_channels_, n_timepoints_ : int
        Input shape seen in ``fit``.
    n_epochs_ : int
        Epochs trained.

    See Also
    --------
    TransformerRegressor : Full self-attention.

    Notes
    -----
    {notes}

    The defaults are smaller than the forecasting configuration of Zhou et al.
    (2021) (d_model 512, 8 heads, d_ff 2048), which is far larger than light
    curves of a few hundred points need; pass those values to reproduce it.
    During training the query measurement is estimated on randomly sampled keys,
    as in the paper; in prediction it uses all keys, so predictions are
    deterministic and independent of the padding.

    References
    ----------
    H. Zhou et al., "Informer: Beyond efficient Transformer for long sequence
    time-series forecasting", AAAI 35, 11106 (2021).

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import InformerRegressor
    >>> X = np.random.RandomState(0).normal(size=(40, 20))
    >>> reg = InformerRegressor(d_model=8, n_heads=2, n_layers=2, max_epochs=2,
    ...                         random_state=0, device="cpu")
    >>> reg.fit(X, X.mean(axis=1)).predict(X[:2]).shape
    (2,)
    """

    _predict_batch_size = 256

    def __init__(
        self,
        *,
        d_model=64,
        n_heads=4,
        n_layers=3,
        d_ff=128,
        factor=5,
        dropout=0.05,
        distil=True,
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
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_layers = n_layers
        self.d_ff = d_ff
        self.factor = factor
        self.dropout = dropout
        self.distil = distil
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
        return InformerNet(
            n_channels,
            n_timepoints,
            d_model=self.d_model,
            n_heads=self.n_heads,
            n_layers=self.n_layers,
            d_ff=self.d_ff,
            factor=self.factor,
            dropout=self.dropout,
            distil=self.distil,
        )
