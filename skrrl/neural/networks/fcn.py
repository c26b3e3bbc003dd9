"""Fully convolutional network (Wang et al. 2017) with padding-aware layers."""

from torch import nn

from skrrl.neural.networks._masking import lengths_to_mask, masked_mean, zero_padding


def same_conv1d(c_in, c_out, kernel_size):
    """Conv1d whose output has the input's length ("same" padding).

    Even kernels are padded explicitly (one more zero on the right, as torch's
    ``padding="same"`` does) to avoid torch's warning and hidden copy.

    Examples
    --------
    >>> import torch
    >>> same_conv1d(1, 2, 8)(torch.zeros(1, 1, 5)).shape
    torch.Size([1, 2, 5])
    """
    kernel_size = int(kernel_size)
    if kernel_size % 2:
        return nn.Conv1d(c_in, c_out, kernel_size, padding="same")
    total = kernel_size - 1
    return nn.Sequential(
        nn.ConstantPad1d((total // 2, total - total // 2), 0.0),
        nn.Conv1d(c_in, c_out, kernel_size),
    )


def _check_pairs(filters, kernel_sizes):
    filters, kernel_sizes = tuple(filters), tuple(kernel_sizes)
    if not filters or len(filters) != len(kernel_sizes):
        raise ValueError(
            f"filters {filters} and kernel_sizes {kernel_sizes} must be non-empty "
            "and of equal length."
        )
    return filters, kernel_sizes


class ConvStack(nn.Module):
    """Conv1d ("same" padding) - BatchNorm - ReLU blocks, padding re-zeroed.

    After every block the padded steps are set back to zero, so each valid
    output equals the output of the unpadded series (exactly in eval mode; in
    training the batch-norm statistics also count the padded steps).

    Parameters
    ----------
    n_channels : int
        Input channels.
    filters : tuple of int
        Output channels of each block.
    kernel_sizes : tuple of int
        Kernel size of each block.

    Examples
    --------
    >>> import torch
    >>> ConvStack(2, (4, 3), (3, 3))(torch.zeros(5, 2, 7)).shape
    torch.Size([5, 3, 7])
    """

    def __init__(self, n_channels, filters, kernel_sizes):
        super().__init__()
        filters, kernel_sizes = _check_pairs(filters, kernel_sizes)
        sizes = (n_channels,) + filters
        self.blocks = nn.ModuleList(
            nn.Sequential(
                same_conv1d(c_in, c_out, k),
                nn.BatchNorm1d(c_out),
                nn.ReLU(),
            )
            for c_in, c_out, k in zip(sizes[:-1], filters, kernel_sizes)
        )

    def forward(self, x, mask=None):
        for block in self.blocks:
            x = zero_padding(block(x), mask)
        return x


class FCNNetwork(nn.Module):
    """FCN regressor: convolution blocks, global average pooling, linear output.

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_timepoints : int
        Input length (unused: the pooling takes any length).
    filters : tuple of int, default=(128, 256, 128)
        Output channels of each convolution block.
    kernel_sizes : tuple of int, default=(8, 5, 3)
        Kernel size of each block.

    Examples
    --------
    >>> import torch
    >>> net = FCNNetwork(1, 20, filters=(4, 4), kernel_sizes=(5, 3))
    >>> net(torch.zeros(3, 1, 20), lengths=torch.tensor([20, 9, 1])).shape
    torch.Size([3, 1])
    """

    def __init__(
        self,
        n_channels,
        n_timepoints,
        *,
        filters=(128, 256, 128),
        kernel_sizes=(8, 5, 3),
    ):
        super().__init__()
        self.features = ConvStack(n_channels, filters, kernel_sizes)
        self.head = nn.Linear(tuple(filters)[-1], 1)

    def forward(self, x, lengths=None):
        mask = lengths_to_mask(lengths, x.shape[-1])
        return self.head(masked_mean(self.features(x, mask), mask))
