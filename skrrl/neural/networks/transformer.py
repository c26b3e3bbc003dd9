"""Encoder-only Transformer for padded, unequal-length series."""

import math

import torch
from torch import nn

from skrrl.neural.networks._masking import lengths_to_mask, masked_mean


def sinusoidal_encoding(n_positions, d_model):
    """Sinusoidal positional encoding of Vaswani et al. (2017), Sec. 3.5.

    ``PE[pos, 2i] = sin(pos / 10000**(2i / d_model))`` and
    ``PE[pos, 2i + 1] = cos(pos / 10000**(2i / d_model))``.

    Parameters
    ----------
    n_positions : int
        Number of positions.
    d_model : int
        Embedding size (odd sizes drop the last cosine).

    Returns
    -------
    torch.Tensor of shape (n_positions, d_model)
        Values in [-1, 1].

    Examples
    --------
    >>> sinusoidal_encoding(2, 4)
    tensor([[0.0000, 1.0000, 0.0000, 1.0000],
            [0.8415, 0.5403, 0.0100, 0.9999]])
    """
    position = torch.arange(n_positions, dtype=torch.float64)[:, None]
    inv_freq = torch.exp(
        -math.log(10000.0) * torch.arange(0, d_model, 2, dtype=torch.float64) / d_model
    )
    pe = torch.zeros(n_positions, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * inv_freq)
    pe[:, 1::2] = torch.cos(position * inv_freq)[:, : d_model // 2]
    return pe.float()


def _mlp_head(in_features, head_sizes, dropout):
    layers = []
    for size in head_sizes:
        layers += [nn.Linear(in_features, size), nn.GELU(), nn.Dropout(dropout)]
        in_features = size
    layers.append(nn.Linear(in_features, 1))
    return nn.Sequential(*layers)


class TransformerNet(nn.Module):
    """Pre-LN Transformer encoder with masked mean pooling and an MLP head.

    Each timepoint's channels are projected to ``d_model``; a positional encoding
    is added; ``n_layers`` pre-layer-norm encoder blocks (multi-head self-attention
    and a GELU feed-forward, both residual) follow; the valid timepoints are
    averaged and an MLP maps the mean to one output.

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_timepoints : int
        Input length (size of a learned positional encoding; sinusoidal encodings
        accept any length).
    d_model : int, default=64
        Model width (4 heads x key size 16 in the original configuration).
    n_heads : int, default=4
        Attention heads.
    n_layers : int, default=6
        Encoder blocks.
    dim_feedforward : int, default=128
        Hidden units of each block's feed-forward network.
    dropout : float, default=0.1
        Dropout in attention, feed-forward and head.
    head_sizes : tuple of int, default=(128, 64)
        Hidden layers of the MLP head.
    positional_encoding : {"sinusoidal", "learned", "none"}, default="sinusoidal"
        Fixed sin/cos encoding, a trained one (initialised with N(0, 0.02)), or none.

    Notes
    -----
    Defaults follow the Transformer of Monti et al. (2024) (6 pre-LN blocks, 4 heads
    of key size 16, feed-forward 128 with GELU, dropout 0.1, MLP head [128, 64]),
    except for the positional encoding: the original adds ``pos / 10000**(i/d)``
    without sine or cosine, values up to the sequence length added to inputs of
    order one. Here it is the sinusoidal encoding of Vaswani et al. (2017). Padded
    timepoints are excluded from attention (key padding mask) and pooling, so the
    output does not depend on the padding.

    Examples
    --------
    >>> import torch
    >>> net = TransformerNet(1, 20, d_model=8, n_heads=2, n_layers=1)
    >>> net(torch.randn(3, 1, 20), torch.tensor([20, 12, 5])).shape
    torch.Size([3, 1])
    """

    def __init__(
        self,
        n_channels,
        n_timepoints,
        *,
        d_model=64,
        n_heads=4,
        n_layers=6,
        dim_feedforward=128,
        dropout=0.1,
        head_sizes=(128, 64),
        positional_encoding="sinusoidal",
    ):
        super().__init__()
        if positional_encoding not in ("sinusoidal", "learned", "none"):
            raise ValueError(
                "positional_encoding must be 'sinusoidal', 'learned' or 'none', got "
                f"{positional_encoding!r}"
            )
        self.positional_encoding = positional_encoding
        self.input_projection = nn.Linear(n_channels, d_model)
        if positional_encoding == "learned":
            self.pe = nn.Parameter(torch.randn(n_timepoints, d_model) * 0.02)
        elif positional_encoding == "sinusoidal":
            self.register_buffer(
                "pe", sinusoidal_encoding(n_timepoints, d_model), persistent=False
            )
        self.input_dropout = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(
            d_model,
            n_heads,
            dim_feedforward=dim_feedforward,
            dropout=dropout,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(
            layer, n_layers, norm=nn.LayerNorm(d_model), enable_nested_tensor=False
        )
        self.head = _mlp_head(d_model, head_sizes, dropout)

    def _position_encoding(self, n_steps, device):
        if self.positional_encoding == "none":
            return 0.0
        if n_steps > self.pe.shape[0]:
            if self.positional_encoding == "learned":
                raise ValueError(
                    f"series of {n_steps} timepoints are longer than the "
                    f"{self.pe.shape[0]} of the learned positional encoding"
                )
            return sinusoidal_encoding(n_steps, self.pe.shape[1]).to(device)
        return self.pe[:n_steps]

    def forward(self, x, lengths=None):
        """Predict one value per series.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, n_channels, time)
            Zero-padded after ``lengths``.
        lengths : torch.Tensor of shape (batch,) or None
            Valid lengths; None means all full length.

        Returns
        -------
        torch.Tensor of shape (batch, 1)
        """
        n_steps = x.shape[-1]
        mask = lengths_to_mask(lengths, n_steps)
        h = self.input_projection(x.transpose(1, 2))
        h = self.input_dropout(h + self._position_encoding(n_steps, x.device))
        h = self.encoder(h, src_key_padding_mask=None if mask is None else ~mask)
        return self.head(masked_mean(h.transpose(1, 2), mask))
