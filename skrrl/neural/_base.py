"""The one training base shared by every skrrl deep regressor.

A new architecture is a plain ``nn.Module`` in :mod:`skrrl.neural.networks`
(see the contract in its ``__init__``) plus a thin estimator::

    @Substitution(**_training_docstrings)
    class MyRegressor(_BaseNeuralRegressor):
        '''... Parameters ... {lr} {batch_size} ... {device} {verbose}'''

        def __init__(self, *, width=8, lr=0.01, ..., verbose=0):
            self.width = width
            super().__init__(lr=lr, ..., verbose=verbose)

        def _build_module(self, n_channels, n_timepoints):
            return MyNetwork(n_channels, n_timepoints, width=self.width)

``_build_module`` is the only method a subclass must write; it receives the
input sizes seen in ``fit`` and returns a fresh ``nn.Module`` instance (it is
called inside the seeded RNG context, so its initialisation is reproducible).
Class attributes a subclass may override: ``_allow_padding`` (False for
tabular models: NaN anywhere is an error) and ``_predict_batch_size`` (rows per
forward pass in ``predict``; lower it for memory-hungry attention models).
"""

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from skrrl.neural._skorch import _resolve_device, _WeightedNeuralNet
from skrrl.utils._docstring import (
    _device_docstring,
    _random_state_docstring,
)

_OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}

_training_docstrings = {
    "lr": """lr : float, default=0.01
        Learning rate (the paper uses Adam with 0.01).""",
    "batch_size": """batch_size : int, default=256
        Number of samples per gradient step (the paper uses 256).""",
    "max_epochs": """max_epochs : int, default=500
        Maximum number of passes over the training data (the paper allows
        20,000 with a patience of 1,000).""",
    "patience": """patience : int or None, default=50
        Epochs without improvement of the validation loss before training
        stops. ``None`` trains ``max_epochs`` epochs; the weights of the best
        validation epoch are restored in both cases.""",
    "validation_fraction": """validation_fraction : float or None, default=0.1
        Fraction of the training samples held out for early stopping. The split
        is seeded and stratified on rank bins of ``y`` (every part of the target
        range is represented) and drawn from the positive-weight samples only.
        ``None`` or 0 disables early stopping (all epochs, last weights).""",
    "optimizer": """optimizer : {"adam", "adamw", "sgd", "rmsprop"}, default="adam"
        Optimizer.""",
    "weight_decay": """weight_decay : float, default=0.0
        Weight decay of the optimizer (on top of any penalty of the network).""",
    "lr_schedule": """lr_schedule : {None, "cosine", "plateau"}, default=None
        Learning-rate schedule: constant, cosine annealing to zero over
        ``max_epochs``, or halving after ``max(1, patience // 2)`` epochs
        without improvement of the (validation, else training) loss.""",
    "random_state": _random_state_docstring,
    "device": _device_docstring,
    "n_threads": """n_threads : int, "auto" or None, default="auto"
        Torch intra-op threads while fitting and predicting on the CPU; torch's
        global setting is restored afterwards. ``"auto"`` caps recurrent
        models, whose many small per-step operations do not gain from more
        threads, at 2 (the fastest setting measured by
        benchmarks/bench_training.py), and keeps torch's setting for the others.
        None always keeps torch's setting.""",
    "verbose": """verbose : int, default=0
        0 is silent; 1 or more prints skorch's table of epoch losses.""",
}

_fitted_attributes = """net_ : skorch.NeuralNetRegressor
        The trained net: ``net_.module_`` is the network, ``net_.history`` the
        losses of every epoch.
    n_features_in_ : int
        Timepoints (2D input) or channels (3D input) seen in ``fit``.
    n_channels_, n_timepoints_ : int
        Input shape seen in ``fit``.
    n_epochs_ : int
        Epochs trained."""

_training_notes = """Training minimises the weighted mean squared error of each
    mini-batch, ``sum_i w_i (y_i - f(x_i))**2 / sum_i w_i`` (plus the network's
    penalty, if any), with the ``sample_weight`` passed to ``fit`` (all ones by
    default). Samples of zero weight are removed before anything else, so they
    influence neither the batches nor the validation split. NaN marks padding:
    a series may end with NaN (the same steps in every channel); the network
    sees its valid length. NaN anywhere else raises a ``ValueError``. Global
    random state (NumPy, torch) is never modified; CPU results are reproducible
    for a fixed ``random_state``."""


def _as_series(X, *, allow_padding=True):
    """Split validated ``X`` into zero-filled ``(n, c, t)`` float32 and lengths.

    Returns
    -------
    X3 : ndarray of shape (n_samples, n_channels, n_timepoints)
    lengths : ndarray of shape (n_samples,) of int64, or None
        None when no series is padded.
    """
    if X.ndim not in (2, 3):
        raise ValueError(
            "X must be 2D (n_samples, n_timepoints) or 3D (n_samples, n_channels, "
            f"n_timepoints); got an array with {X.ndim} dimensions."
        )
    X3 = X[:, None, :] if X.ndim == 2 else X
    nan = np.isnan(X3)
    if not nan.any():
        return np.require(X3, np.float32, ["C", "W"]), None
    if not allow_padding:
        row = int(np.flatnonzero(nan.reshape(len(X3), -1).any(axis=1))[0])
        raise ValueError(f"Input X contains NaN (first in sample {row}).")
    missing = nan.any(axis=1)
    bad = np.flatnonzero((missing != nan.all(axis=1)).any(axis=1))
    if bad.size:
        raise ValueError(
            f"Input X contains NaN in some channels only (sample {bad[0]}); NaN is "
            "allowed only as end padding shared by all channels."
        )
    lengths = (~missing).sum(axis=1)
    prefix = np.arange(X3.shape[2])[None, :] < lengths[:, None]
    bad = np.flatnonzero((prefix == missing).any(axis=1) | (lengths == 0))
    if bad.size:
        raise ValueError(
            f"Input X contains NaN inside or at the start of sample {bad[0]}; NaN "
            "is allowed only as padding at the end of a non-empty series."
        )
    return np.where(nan, 0.0, X3).astype(np.float32), lengths.astype(np.int64)


def _stratified_holdout(y, fraction, rng):
    """Indices ``(train, valid)``: one random sample from each of ``n_valid``
    consecutive rank bins of ``y`` goes to validation (rank-binned stratification,
    as in Dekany & Grebel 2022 and Monti et al. 2024)."""
    n = len(y)
    n_valid = max(1, int(round(fraction * n)))
    if n - n_valid < 1:
        raise ValueError(
            f"validation_fraction={fraction} leaves no training sample: got {n} "
            "sample(s) of positive weight, need at least 2 (or set "
            "validation_fraction=None)."
        )
    # random tie-break so equal targets are not split by their input order
    order = np.lexsort((rng.permutation(n), y))
    bins = np.array_split(order, n_valid)
    valid = np.array([b[rng.randint(len(b))] for b in bins], dtype=np.int64)
    train = np.setdiff1d(np.arange(n), valid)
    return train, np.sort(valid)


class _BaseNeuralRegressor(RegressorMixin, BaseEstimator):
    """Base of the skrrl deep regressors (not public).

    Subclasses implement ``_build_module(n_channels, n_timepoints)``; see the
    module docstring. Fitted attributes: ``net_`` (the trained skorch net),
    ``n_features_in_``, ``n_channels_``, ``n_timepoints_``, ``n_epochs_``.
    """

    _allow_padding = True
    # threads meant by n_threads="auto" (None: torch's current setting)
    _auto_threads = None
    # rows per forward pass in predict: small enough to stay in cache for the
    # recurrences (measured fastest on CPU) and to bound conv activations
    _predict_batch_size = 512

    def __init__(
        self,
        *,
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
        self.lr = lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose

    def _build_module(self, n_channels, n_timepoints):
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        # NaN is accepted only as end padding; arbitrary NaN raises, so the
        # estimator must keep being checked for NaN/inf handling.
        tags.input_tags.allow_nan = False
        # the fast settings of the common checks train a few epochs only
        tags.regressor_tags.poor_score = True
        return tags

    def _validate_X(self, X, *, reset, y="no_validation"):
        kwargs = {
            "allow_nd": True,
            "dtype": np.float32,
            "ensure_all_finite": "allow-nan" if self._allow_padding else True,
            "reset": reset,
        }
        if isinstance(y, str) and y == "no_validation":
            X = validate_data(self, X, **kwargs)
        else:
            X, y = validate_data(self, X, y, y_numeric=True, **kwargs)
        X3, lengths = _as_series(X, allow_padding=self._allow_padding)
        if not reset and X3.shape[1:] != (self.n_channels_, self.n_timepoints_):
            raise ValueError(
                f"X has {X3.shape[1]} channel(s) of {X3.shape[2]} timepoints, but "
                f"{type(self).__name__} was fitted on {self.n_channels_} channel(s) "
                f"of {self.n_timepoints_} timepoints."
            )
        return X3, lengths, y

    def _check_params(self):
        if self.optimizer not in _OPTIMIZERS:
            raise ValueError(
                f"optimizer must be one of {sorted(_OPTIMIZERS)}; "
                f"got {self.optimizer!r}."
            )
        if self.lr_schedule not in (None, "cosine", "plateau"):
            raise ValueError(
                "lr_schedule must be None, 'cosine' or 'plateau'; got "
                f"{self.lr_schedule!r}."
            )
        for name in ("batch_size", "max_epochs"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")
        threads = self.n_threads
        if not (
            threads is None
            or (isinstance(threads, str) and threads == "auto")
            or (isinstance(threads, int | np.integer) and threads >= 1)
        ):
            raise ValueError(
                "n_threads must be a positive integer, 'auto' or None; got "
                f"{threads!r}."
            )
        fraction = self.validation_fraction
        if fraction is not None and not 0 <= fraction < 1:
            raise ValueError(
                f"validation_fraction must be None or in [0, 1); got {fraction!r}."
            )
        return bool(fraction)

    @contextmanager
    def _threads(self, device):
        """Run the block with ``n_threads`` torch threads (CPU only)."""
        threads = self.n_threads
        previous = torch.get_num_threads()
        if isinstance(threads, str):
            threads = self._auto_threads
            threads = None if threads is None else min(threads, previous)
        if threads is None or torch.device(device).type != "cpu" or threads == previous:
            yield
            return
        torch.set_num_threads(int(threads))
        try:
            yield
        finally:
            torch.set_num_threads(previous)

    def _callbacks(self, validate):
        from skorch.callbacks import EarlyStopping, LRScheduler

        callbacks = []
        if validate:
            patience = self.max_epochs + 1 if self.patience is None else self.patience
            callbacks.append(
                ("early_stopping", EarlyStopping(patience=patience, load_best=True))
            )
        if self.lr_schedule == "cosine":
            callbacks.append(
                ("lr_schedule", LRScheduler("CosineAnnealingLR", T_max=self.max_epochs))
            )
        elif self.lr_schedule == "plateau":
            callbacks.append(
                (
                    "lr_schedule",
                    LRScheduler(
                        "ReduceLROnPlateau",
                        monitor="valid_loss" if validate else "train_loss",
                        factor=0.5,
                        patience=max(1, (self.patience or 10) // 2),
                    ),
                )
            )
        return callbacks

    def _make_net(
        self, module, device, *, validate=False, seed=0, valid_data=None, n_train=None
    ):
        from skorch.dataset import Dataset
        from skorch.helper import predefined_split

        generator = torch.Generator().manual_seed(seed)
        # a last batch of one sample breaks batch normalisation; drop it (the
        # shuffling drops a different sample every epoch)
        drop_last = (
            n_train is not None
            and n_train > self.batch_size
            and n_train % self.batch_size == 1
        )
        return _WeightedNeuralNet(
            module=module,
            criterion=torch.nn.MSELoss,
            criterion__reduction="none",
            optimizer=_OPTIMIZERS[self.optimizer],
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train__shuffle=True,
            iterator_train__generator=generator,
            iterator_train__drop_last=drop_last,
            train_split=predefined_split(Dataset(*valid_data)) if validate else None,
            callbacks=self._callbacks(validate),
            device=device,
            verbose=self.verbose,
        )

    def fit(self, X, y, sample_weight=None):
        """Fit the network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timepoints) or \
(n_samples, n_channels, n_timepoints)
            Series; 2D input is univariate. Trailing NaN marks padding of
            shorter series.
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the per-batch loss (see Notes of the class).

        Returns
        -------
        self : object
            Fitted estimator.
        """
        validate = self._check_params()
        X3, lengths, y = self._validate_X(X, reset=True, y=y)
        weight = _check_sample_weight(
            sample_weight, X3, dtype=np.float64, ensure_non_negative=True
        )
        # _check_sample_weight rejects all-zero weights, so some rows remain
        keep = weight > 0
        X3, y, weight = X3[keep], y[keep], weight[keep]
        lengths = None if lengths is None else lengths[keep]
        self.n_channels_, self.n_timepoints_ = X3.shape[1:]

        rng = check_random_state(self.random_state)
        torch_seed = int(rng.randint(np.iinfo(np.int32).max))
        data = {"x": X3, "sample_weight": (weight / weight.mean()).astype(np.float32)}
        if lengths is not None:
            data["lengths"] = lengths
        target = y.astype(np.float32).reshape(-1, 1)
        valid_data = None
        if validate:
            train, valid = _stratified_holdout(y, self.validation_fraction, rng)
            valid_data = ({k: v[valid] for k, v in data.items()}, target[valid])
            data, target = {k: v[train] for k, v in data.items()}, target[train]

        if len(target) < 2:
            raise ValueError(
                f"{type(self).__name__} needs at least 2 training samples of "
                f"positive weight; got {len(target)} sample(s)."
            )
        device = _resolve_device(self.device)
        cuda = [torch.device(device)] if torch.device(device).type == "cuda" else []
        with torch.random.fork_rng(devices=cuda), self._threads(device):
            torch.manual_seed(torch_seed)
            module = self._build_module(self.n_channels_, self.n_timepoints_)
            net = self._make_net(
                module,
                device,
                validate=validate,
                seed=torch_seed,
                valid_data=valid_data,
                n_train=len(target),
            )
            net.fit(data, target)
        self.net_ = net
        self.n_epochs_ = len(net.history)
        return self

    def predict(self, X):
        """Predict the target.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timepoints) or \
(n_samples, n_channels, n_timepoints)
            Series, with the channels and timepoints seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predictions.
        """
        check_is_fitted(self)
        X3, lengths, _ = self._validate_X(X, reset=False)
        module = self.net_.module_
        device = next(module.parameters()).device
        was_training = module.training
        module.eval()
        out = np.empty(len(X3), dtype=np.float64)
        step = self._predict_batch_size
        try:
            with torch.inference_mode(), self._threads(device):
                for start in range(0, len(X3), step):
                    stop = start + step
                    x = torch.from_numpy(X3[start:stop]).to(device)
                    lens = None
                    if lengths is not None:
                        lens = torch.from_numpy(lengths[start:stop]).to(device)
                    out[start:stop] = module(x, lengths=lens).reshape(-1).cpu().numpy()
        finally:
            module.train(was_training)
        return out
