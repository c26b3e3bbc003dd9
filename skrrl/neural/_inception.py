"""InceptionTime regressor (Ismail Fawaz et al. 2020)."""

from skrrl.neural._base import (
    _BaseNeuralRegressor,
    _training_docstrings,
    _training_notes,
)
from skrrl.neural.networks.inception import InceptionTimeNet
from skrrl.utils._docstring import Substitution


@Substitution(notes=_training_notes, **_training_docstrings)
class InceptionTimeRegressor(_BaseNeuralRegressor):
    """InceptionTime: inception modules with residual shortcuts, averaged over time.

    Each module runs a 1x1 bottleneck, three convolutions (kernels 40, 20, 10)
    and a max-pool branch, concatenated, with batch norm and ReLU; a shortcut
    joins every third module; global average pooling over the valid timepoints
    and a linear layer give the prediction (Ismail Fawaz et al. 2020).

    Parameters
    ----------
    n_filters : int, default=32
        Filters per branch (modules output ``4 * n_filters`` channels).
    depth : int, default=6
        Number of inception modules.
    kernel_size : int, default=40
        Largest kernel; the branches use ``kernel_size // 2**i``, i = 0, 1, 2.
    bottleneck_size : int, default=32
        Bottleneck channels (not used on a single input channel; 0 disables it).
    use_residual : bool, default=True
        Shortcut connection every three modules.
    n_ensemble : int, default=1
        Networks averaged inside one model; 5 is InceptionTime proper. They start
        from different random weights and are trained jointly (see Notes).
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
        :class:`~skrrl.neural.networks.inception.InceptionTimeNet`).
    n_features_in_ : int
        Timepoints (2D input) or channels (3D input) seen in ``fit``.
    n_channels_, n_timepoints_ : int
        Input shape seen in ``fit``.
    n_epochs_ : int
        Epochs trained.

    See Also
    --------
    skrrl.ensemble.KFoldEnsembleRegressor : Independently trained fold models.

    Notes
    -----
    {notes}

    Padded timepoints are zeroed after every module and left out of the pooling;
    predictions do not depend on the padding. With ``n_ensemble > 1`` the members
    are trained on the loss of their mean prediction, in one run with one early
    stopping, rather than one by one as in the paper: cheaper, but the members
    co-adapt. For independent members, wrap the regressor in
    ``KFoldEnsembleRegressor``. Ismail Fawaz et al. train with Adam at 1e-3 and
    batch 64; the defaults here are those of the other skrrl regressors (Monti et
    al. 2024: 0.01, 256).

    References
    ----------
    H. Ismail Fawaz et al., "InceptionTime: Finding AlexNet for time series
    classification", Data Mining and Knowledge Discovery 34, 1936 (2020).

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.neural import InceptionTimeRegressor
    >>> X = np.random.RandomState(0).normal(size=(40, 20))
    >>> reg = InceptionTimeRegressor(n_filters=4, depth=3, max_epochs=2,
    ...                              random_state=0, device="cpu")
    >>> reg.fit(X, X.mean(axis=1)).predict(X[:2]).shape
    (2,)
    """

    _predict_batch_size = 512

    def __init__(
        self,
        *,
        n_filters=32,
        depth=6,
        kernel_size=40,
        bottleneck_size=32,
        use_residual=True,
        n_ensemble=1,
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
        self.n_filters = n_filters
        self.depth = depth
        self.kernel_size = kernel_size
        self.bottleneck_size = bottleneck_size
        self.use_residual = use_residual
        self.n_ensemble = n_ensemble
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
        return InceptionTimeNet(
            n_channels,
            n_timepoints,
            n_filters=self.n_filters,
            depth=self.depth,
            kernel_size=self.kernel_size,
            bottleneck_size=self.bottleneck_size,
            use_residual=self.use_residual,
            n_ensemble=self.n_ensemble,
        )
