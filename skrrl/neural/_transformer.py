"""Encoder-only Transformer regressor (Monti et al. 2024, with a corrected encoding)."""

from skrrl.neural._base import (
    _BaseNeuralRegressor,
    _training_docstrings,
    _training_notes,
)
from skrrl.neural.networks.transformer import TransformerNet
from skrrl.utils._docstring import Substitution

_lr_docstring = """lr : float, default=0.001
        Learning rate (lower than the RNNs' 0.01: attention stacks diverge
        more easily)."""


@Substitution(notes=_training_notes, **{**_training_docstrings, "lr": _lr_docstring})
class TransformerRegressor(_BaseNeuralRegressor):
    """Encoder-only Transformer with a positional encoding and masked mean pooling.

    Channels of each timepoint are projected to ``d_model``, a positional
    encoding is added, pre-layer-norm encoder blocks (multi-head self-attention,
    GELU feed-forward) follow, and an MLP reads the mean over valid timepoints.

    Parameters
    ----------
    d_model : int, default=64
        Model width (4 heads of key size 16 in the original).
    n_heads : int, default=4
        Attention heads.
    n_layers : int, default=6
        Encoder blocks.
    dim_feedforward : int, default=128
        Feed-forward width of each block.
    dropout : float, default=0.1
        Dropout in attention, feed-forward and head.
    head_sizes : tuple of int, default=(128, 64)
        Hidden layers of the MLP head.
    positional_encoding : {{"sinusoidal", "learned", "none"}}, default="sinusoidal"
        Fixed sin/cos encoding (Vaswani et al. 2017), a trained one, or none.
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
        :class:`~skrrl.neural.networks.transformer.TransformerNet`).
    n_features_in_ : int
        Timepoints (2D input) or channels (3D input) seen in ``fit``.
    n_channels_, n_timepoints_ : int
        Input shape seen in ``fit``.
    n_epochs_ : int
        Epochs trained.

    See Also
    --------
    InformerRegressor : ProbSparse attention and distilling.

    Notes
    -----
    {notes}

    The architecture defaults are the Transformer of Monti et al. (2024): 6 pre-LN
    blocks, 4 heads of size 16, feed-forward 128 with GELU, dropout 0.1, MLP head
    [128, 64]. The original adds ``pos / 10000**(i / d)`` as its positional
    "encoding" (no sine or cosine, values up to the series length); here it is
    the sinusoidal encoding. Padded timepoints are masked out of attention and
    pooling, so predictions do not depend on the padding.

    References
    ----------
    A. Vaswani et al., "Attention is all you need", NeurIPS 30 (2017).

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import TransformerRegressor
    >>> X = np.random.RandomState(0).normal(size=(40, 20))
    >>> reg = TransformerRegressor(d_model=8, n_heads=2, n_layers=1, max_epochs=2,
    ...                            random_state=0, device="cpu")
    >>> reg.fit(X, X.mean(axis=1)).predict(X[:2]).shape
    (2,)
    """

    _predict_batch_size = 256

    def __init__(
        self,
        *,
        d_model=64,
        n_heads=4,
        n_layers=6,
        dim_feedforward=128,
        dropout=0.1,
        head_sizes=(128, 64),
        positional_encoding="sinusoidal",
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
        self.dim_feedforward = dim_feedforward
        self.dropout = dropout
        self.head_sizes = head_sizes
        self.positional_encoding = positional_encoding
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
        return TransformerNet(
            n_channels,
            n_timepoints,
            d_model=self.d_model,
            n_heads=self.n_heads,
            n_layers=self.n_layers,
            dim_feedforward=self.dim_feedforward,
            dropout=self.dropout,
            head_sizes=tuple(self.head_sizes),
            positional_encoding=self.positional_encoding,
        )
