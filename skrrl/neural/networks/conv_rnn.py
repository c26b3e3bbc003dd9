"""Convolutional-recurrent network: FCN blocks, max pooling, GRU/LSTM stack."""

import torch
from torch import nn

from skrrl.neural.networks._masking import lengths_to_mask
from skrrl.neural.networks.fcn import ConvStack
from skrrl.neural.networks.rnn import RNNNetwork


class ConvRNNNetwork(nn.Module):
    """Convolution blocks, then max pooling, then a recurrent stack.

    The convolutional part is :class:`~skrrl.neural.networks.fcn.ConvStack`
    (padding re-zeroed), the pooling uses ``ceil_mode`` so a series of valid
    length ``L`` keeps ``ceil(L / pool_size)`` steps, and the recurrent part is
    :class:`~skrrl.neural.networks.rnn.RNNNetwork` on the pooled features (it
    packs the padded sequences and holds the linear output).

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_timepoints : int
        Input length.
    cell : {"gru", "lstm"}, default="gru"
        Recurrent cell.
    filters : tuple of int, default=(128, 256, 128)
        Output channels of each convolution block.
    kernel_sizes : tuple of int, default=(8, 5, 3)
        Kernel size of each block.
    pool_size : int, default=2
        Max-pooling window and stride (1 disables pooling).
    hidden_sizes : tuple of int, default=(8, 4)
        Units of each recurrent layer.
    dropout : float or tuple of float, default=0.0
        Dropout after each recurrent layer.
    bidirectional : bool, default=False
        Bidirectional recurrences.

    Examples
    --------
    >>> import torch
    >>> net = ConvRNNNetwork(1, 9, filters=(4,), kernel_sizes=(3,), hidden_sizes=(3,))
    >>> net(torch.zeros(2, 1, 9), lengths=torch.tensor([9, 4])).shape
    torch.Size([2, 1])
    """

    def __init__(
        self,
        n_channels,
        n_timepoints,
        *,
        cell="gru",
        filters=(128, 256, 128),
        kernel_sizes=(8, 5, 3),
        pool_size=2,
        hidden_sizes=(8, 4),
        dropout=0.0,
        bidirectional=False,
    ):
        super().__init__()
        self.features = ConvStack(n_channels, filters, kernel_sizes)
        self.pool_size = int(pool_size)
        if self.pool_size < 1:
            raise ValueError(f"pool_size must be >= 1; got {pool_size}.")
        self.pool = nn.MaxPool1d(self.pool_size, ceil_mode=True)
        self.rnn = RNNNetwork(
            tuple(filters)[-1],
            -(-n_timepoints // self.pool_size),
            cell=cell,
            hidden_sizes=hidden_sizes,
            dropout=dropout,
            bidirectional=bidirectional,
        )

    def forward(self, x, lengths=None):
        x = self.features(x, lengths_to_mask(lengths, x.shape[-1]))
        # after ReLU and re-zeroing, padded zeros never beat a valid maximum
        x = self.pool(x)
        if lengths is not None:
            lengths = torch.div(
                lengths + self.pool_size - 1, self.pool_size, rounding_mode="floor"
            )
        return self.rnn(x, lengths=lengths)
