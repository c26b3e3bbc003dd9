"""Stacked (bi)directional GRU/LSTM regressor network (Monti et al. 2024, §2.4)."""

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence

from skrrl.neural.networks._dropout import FastDropout
from skrrl.neural.networks._fused import fused_layer, use_fused
from skrrl.neural.networks._fused_gru import FusedGRU
from skrrl.neural.networks._fused_lstm import FusedLSTM

_CELLS = {"gru": FusedGRU, "lstm": FusedLSTM}


class RNNNetwork(nn.Module):
    """Stack of recurrent layers with dropout, read out by a linear layer.

    Layer ``i`` has ``hidden_sizes[i]`` units per direction and is followed by
    dropout ``dropout[i]``; the last layer's final state (both directions
    concatenated when bidirectional) feeds a ``Linear(., 1)``. Padded series are
    packed, so padding never reaches the recurrences. Initialisation follows
    Keras (Glorot-uniform input kernels, orthogonal recurrent kernels, zero
    biases, LSTM forget-gate bias 1), the framework of the original models.

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_timepoints : int
        Input length (unused: recurrences take any length).
    cell : {"gru", "lstm"}, default="gru"
        Recurrent cell.
    hidden_sizes : tuple of int, default=(20, 16, 8)
        Units per direction of each layer.
    dropout : float or tuple of float, default=(0.2, 0.2, 0.1)
        Dropout after each layer (one value is used for all).
    bidirectional : bool, default=False
        Run each layer in both directions.
    kernel_l1, kernel_l2, recurrent_l1, recurrent_l2 : float, default=0.0
        Penalties on the input (kernel) and recurrent weight matrices of all
        layers, returned by :meth:`regularization_loss` (Keras' regularizers).

    Examples
    --------
    >>> import torch
    >>> net = RNNNetwork(2, 10, hidden_sizes=(4,), dropout=0.0)
    >>> net(torch.zeros(3, 2, 10), lengths=torch.tensor([10, 5, 1])).shape
    torch.Size([3, 1])
    """

    def __init__(
        self,
        n_channels,
        n_timepoints,
        *,
        cell="gru",
        hidden_sizes=(20, 16, 8),
        dropout=(0.2, 0.2, 0.1),
        bidirectional=False,
        kernel_l1=0.0,
        kernel_l2=0.0,
        recurrent_l1=0.0,
        recurrent_l2=0.0,
    ):
        super().__init__()
        if cell not in _CELLS:
            raise ValueError(f"cell must be one of {sorted(_CELLS)}; got {cell!r}.")
        hidden_sizes = tuple(int(h) for h in hidden_sizes)
        if not hidden_sizes or min(hidden_sizes) < 1:
            raise ValueError(
                f"hidden_sizes must be non-empty positive ints; got {hidden_sizes}."
            )
        if isinstance(dropout, int | float):
            dropout = (float(dropout),) * len(hidden_sizes)
        if len(dropout) != len(hidden_sizes):
            raise ValueError(
                f"dropout has {len(dropout)} entries for {len(hidden_sizes)} layers; "
                "pass one float or one value per entry of hidden_sizes."
            )
        directions = 2 if bidirectional else 1
        sizes = (n_channels,) + tuple(h * directions for h in hidden_sizes[:-1])
        self.layers = nn.ModuleList(
            _CELLS[cell](size, hidden, bidirectional=bool(bidirectional))
            for size, hidden in zip(sizes, hidden_sizes)
        )
        self.dropouts = nn.ModuleList(FastDropout(float(p)) for p in dropout)
        self.head = nn.Linear(hidden_sizes[-1] * directions, 1)
        self.cell = cell
        self.penalties = (kernel_l1, kernel_l2, recurrent_l1, recurrent_l2)
        self._init_like_keras()

    def _init_like_keras(self):
        for layer in self.layers:
            for name, param in layer.named_parameters():
                if name.startswith("weight_ih"):
                    nn.init.xavier_uniform_(param)
                elif name.startswith("weight_hh"):
                    nn.init.orthogonal_(param)
                else:
                    nn.init.zeros_(param)
                    if self.cell == "lstm" and name.startswith("bias_ih"):
                        hidden = param.shape[0] // 4
                        nn.init.ones_(
                            param[hidden : 2 * hidden]
                        )  # forget gate (i,f,g,o)
        nn.init.xavier_uniform_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, x, lengths=None):
        if lengths is not None and bool((lengths >= x.shape[2]).all()):
            lengths = None
        if use_fused(x):
            # (features, time, batch) from the first layer to the last
            x = x.permute(1, 2, 0)
            for i, layer in enumerate(self.layers):
                if i:
                    x = self.dropouts[i - 1](x)
                x, h, _ = fused_layer(layer, x, lengths)
            last = torch.cat(tuple(h), dim=0).t()  # (batch, directions * hidden)
            return self.head(self.dropouts[-1](last))
        x = x.transpose(1, 2)  # (batch, time, channels), as nn.GRU/LSTM want
        if lengths is not None:
            x = pack_padded_sequence(
                x, lengths.cpu(), batch_first=True, enforce_sorted=False
            )
        for i, layer in enumerate(self.layers):
            if i:
                dropout = self.dropouts[i - 1]
                if isinstance(x, PackedSequence):
                    x = x._replace(data=dropout(x.data))
                else:
                    x = dropout(x)
            x, state = layer(x)
        h = state[0] if self.cell == "lstm" else state
        # final state of the last layer; h[-2:] = (forward, backward) when bidirectional
        directions = 2 if self.layers[-1].bidirectional else 1
        last = torch.cat(tuple(h[-directions:]), dim=1)
        return self.head(self.dropouts[-1](last))

    def regularization_loss(self):
        """Keras-style weight penalties (zero tensor when all are 0).

        Returns
        -------
        torch.Tensor
            ``kernel_l1 * sum|W_ih| + kernel_l2 * sum W_ih**2 + recurrent_l1 *
            sum|W_hh| + recurrent_l2 * sum W_hh**2`` over all layers/directions.
        """
        k1, k2, r1, r2 = self.penalties
        loss = self.head.bias.new_zeros(())
        for layer in self.layers:
            for name, w in layer.named_parameters():
                if name.startswith("weight_ih"):
                    l1, l2 = k1, k2
                elif name.startswith("weight_hh"):
                    l1, l2 = r1, r2
                else:
                    continue
                if l1:
                    loss = loss + l1 * w.abs().sum()
                if l2:
                    loss = loss + l2 * w.pow(2).sum()
        return loss
