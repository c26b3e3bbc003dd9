"""Multilayer perceptron on flattened inputs (tabular features)."""

from torch import nn

_ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "elu": nn.ELU}


class MLPNetwork(nn.Module):
    """Dense layers on the flattened input, then a linear output.

    Each hidden layer is ``Linear - [BatchNorm] - activation - [Dropout]``.

    Parameters
    ----------
    n_channels : int
        Input channels (1 for tabular features).
    n_timepoints : int
        Features per channel; the input is flattened to
        ``n_channels * n_timepoints`` features.
    hidden_sizes : tuple of int, default=(100,)
        Width of each hidden layer (empty: linear regression).
    dropout : float or tuple of float, default=0.0
        Dropout after each hidden layer.
    batch_norm : bool, default=False
        Batch normalisation before each activation.
    activation : {"relu", "tanh", "gelu", "elu"}, default="relu"
        Hidden activation.

    Examples
    --------
    >>> import torch
    >>> MLPNetwork(1, 5, hidden_sizes=(8, 4))(torch.zeros(3, 1, 5)).shape
    torch.Size([3, 1])
    """

    def __init__(
        self,
        n_channels,
        n_timepoints,
        *,
        hidden_sizes=(100,),
        dropout=0.0,
        batch_norm=False,
        activation="relu",
    ):
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {sorted(_ACTIVATIONS)}; got {activation!r}."
            )
        hidden_sizes = tuple(int(h) for h in hidden_sizes)
        if isinstance(dropout, int | float):
            dropout = (float(dropout),) * len(hidden_sizes)
        if len(dropout) != len(hidden_sizes):
            raise ValueError(
                f"dropout has {len(dropout)} entries for {len(hidden_sizes)} layers; "
                "pass one float or one value per entry of hidden_sizes."
            )
        layers = [nn.Flatten()]
        width = n_channels * n_timepoints
        for size, p in zip(hidden_sizes, dropout):
            layers.append(nn.Linear(width, size))
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(_ACTIVATIONS[activation]())
            if p:
                layers.append(nn.Dropout(float(p)))
            width = size
        layers.append(nn.Linear(width, 1))
        self.layers = nn.Sequential(*layers)

    def forward(self, x, lengths=None):
        # tabular inputs are never padded; the estimator rejects NaN
        return self.layers(x)
