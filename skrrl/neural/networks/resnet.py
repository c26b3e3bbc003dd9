"""Residual network for series (Wang et al. 2017; Fawaz et al. 2019)."""

from torch import nn

from skrrl.neural.networks._masking import lengths_to_mask, masked_mean, zero_padding
from skrrl.neural.networks.fcn import same_conv1d


class _ResidualBlock(nn.Module):
    def __init__(self, c_in, c_out, kernel_sizes):
        super().__init__()
        sizes = (c_in,) + (c_out,) * len(kernel_sizes)
        self.convs = nn.ModuleList(
            same_conv1d(a, b, k) for a, b, k in zip(sizes[:-1], sizes[1:], kernel_sizes)
        )
        self.norms = nn.ModuleList(nn.BatchNorm1d(c_out) for _ in kernel_sizes)
        # 1x1 convolution where the width changes, as in Fawaz et al.'s ResNet
        self.shortcut = nn.Sequential(
            *([nn.Conv1d(c_in, c_out, 1)] if c_in != c_out else []),
            nn.BatchNorm1d(c_out),
        )
        self.relu = nn.ReLU()

    def forward(self, x, mask):
        h = x
        for i, (conv, norm) in enumerate(zip(self.convs, self.norms)):
            h = norm(conv(h))
            if i < len(self.convs) - 1:
                h = zero_padding(self.relu(h), mask)
        return zero_padding(self.relu(h + self.shortcut(x)), mask)


class ResNetNetwork(nn.Module):
    """ResNet regressor: residual blocks, global average pooling, linear output.

    Each block has one convolution per entry of ``kernel_sizes`` (BatchNorm,
    ReLU between them) and a shortcut (1x1 convolution when the width changes,
    then BatchNorm). Padded steps are re-zeroed after every layer, so the valid
    outputs equal those of the unpadded series in eval mode.

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_timepoints : int
        Input length (unused).
    filters : tuple of int, default=(64, 128, 128)
        Width of each residual block.
    kernel_sizes : tuple of int, default=(8, 5, 3)
        Kernel sizes of the convolutions inside every block.

    Examples
    --------
    >>> import torch
    >>> net = ResNetNetwork(2, 16, filters=(4, 4), kernel_sizes=(3, 3))
    >>> net(torch.zeros(3, 2, 16), lengths=torch.tensor([16, 7, 2])).shape
    torch.Size([3, 1])
    """

    def __init__(
        self,
        n_channels,
        n_timepoints,
        *,
        filters=(64, 128, 128),
        kernel_sizes=(8, 5, 3),
    ):
        super().__init__()
        filters = tuple(int(f) for f in filters)
        if not filters or not tuple(kernel_sizes):
            raise ValueError("filters and kernel_sizes must be non-empty.")
        sizes = (n_channels,) + filters
        self.blocks = nn.ModuleList(
            _ResidualBlock(a, b, tuple(kernel_sizes))
            for a, b in zip(sizes[:-1], filters)
        )
        self.head = nn.Linear(filters[-1], 1)

    def forward(self, x, lengths=None):
        mask = lengths_to_mask(lengths, x.shape[-1])
        for block in self.blocks:
            x = block(x, mask)
        return self.head(masked_mean(x, mask))
