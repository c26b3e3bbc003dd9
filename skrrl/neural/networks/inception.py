"""InceptionTime (Ismail Fawaz et al. 2020) for padded, unequal-length series."""

import torch
from torch import nn

from skrrl.neural.networks._masking import lengths_to_mask, masked_mean, zero_padding


class InceptionModule(nn.Module):
    """One inception module: bottleneck, three convolutions and a max-pool branch.

    Parameters
    ----------
    in_channels : int
        Channels of the input.
    n_filters : int, default=32
        Filters of each of the four branches; the output has ``4 * n_filters``.
    kernel_sizes : tuple of int, default=(40, 20, 10)
        Kernel sizes of the three convolution branches (``"same"`` padding).
    bottleneck_size : int, default=32
        Channels of the 1x1 bottleneck; skipped for a single input channel, as in
        the original code, or when 0.

    Examples
    --------
    >>> import torch
    >>> InceptionModule(1, n_filters=4)(torch.zeros(2, 1, 30)).shape
    torch.Size([2, 16, 30])
    """

    def __init__(
        self, in_channels, n_filters=32, kernel_sizes=(40, 20, 10), bottleneck_size=32
    ):
        super().__init__()
        use_bottleneck = bottleneck_size > 0 and in_channels > 1
        self.bottleneck = (
            nn.Conv1d(in_channels, bottleneck_size, 1, bias=False)
            if use_bottleneck
            else None
        )
        conv_in = bottleneck_size if use_bottleneck else in_channels
        self.kernel_sizes = tuple(kernel_sizes)
        self.convs = nn.ModuleList(
            nn.Conv1d(conv_in, n_filters, k, bias=False) for k in kernel_sizes
        )
        self.pool = nn.MaxPool1d(3, stride=1, padding=1)
        self.pool_conv = nn.Conv1d(in_channels, n_filters, 1, bias=False)
        self.bn = nn.BatchNorm1d(n_filters * (len(kernel_sizes) + 1))

    def forward(self, x, mask=None):
        """Map ``(batch, in_channels, time)`` to ``(batch, 4 * n_filters, time)``.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, in_channels, time)
            Input, zero at padded timepoints.
        mask : torch.Tensor of shape (batch, time) or None
            Valid timepoints.

        Returns
        -------
        torch.Tensor of shape (batch, 4 * n_filters, time)
            Zero at padded timepoints.
        """
        z = x if self.bottleneck is None else zero_padding(self.bottleneck(x), mask)
        # "same" padding as in Keras (one more zero on the right for even kernels),
        # padded once for the largest kernel and sliced for the others
        k_max = max(self.kernel_sizes)
        left_max, right_max = (k_max - 1) // 2, k_max - 1 - (k_max - 1) // 2
        zp = nn.functional.pad(z, (left_max, right_max))
        branches = []
        for k, conv in zip(self.kernel_sizes, self.convs):
            left, right = (k - 1) // 2, k - 1 - (k - 1) // 2
            stop = zp.shape[-1] - (right_max - right)
            branches.append(conv(zp[..., left_max - left : stop]))
        # max-pooling pads with -inf at the series' edges; do the same at the end of
        # a shorter series, so its last valid step never sees the padding zeros
        pooled = x if mask is None else x.masked_fill(~mask[:, None, :], float("-inf"))
        pooled = zero_padding(self.pool(pooled), mask)
        branches.append(self.pool_conv(pooled))
        out = torch.relu(self.bn(torch.cat(branches, dim=1)))
        return zero_padding(out, mask)


class InceptionNetwork(nn.Module):
    """A stack of inception modules with residual shortcuts and masked pooling.

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_timepoints : int
        Input length (unused; the network accepts any length).
    n_filters : int, default=32
        Filters per branch (the module output has ``4 * n_filters`` channels).
    depth : int, default=6
        Number of inception modules.
    kernel_size : int, default=40
        Largest kernel; the three branches use ``kernel_size // 2**i``.
    bottleneck_size : int, default=32
        Bottleneck channels (0 disables it).
    use_residual : bool, default=True
        Add a shortcut (1x1 convolution and batch norm) every three modules.

    Notes
    -----
    Zero-padded timepoints are zeroed again after every module and masked in the
    final global average pooling. Because the ``"same"`` convolutions pad the series
    edges with zeros too, the valid timepoints of a padded series see exactly what
    the unpadded series sees: in evaluation mode the output does not depend on the
    padding. During training, batch normalization statistics include the padded
    (zero) timepoints.

    Examples
    --------
    >>> import torch
    >>> net = InceptionNetwork(1, 50, n_filters=4, depth=3)
    >>> net(torch.zeros(2, 1, 50)).shape
    torch.Size([2, 16, 50])
    """

    def __init__(
        self,
        n_channels,
        n_timepoints,
        *,
        n_filters=32,
        depth=6,
        kernel_size=40,
        bottleneck_size=32,
        use_residual=True,
    ):
        super().__init__()
        kernel_sizes = tuple(max(1, kernel_size // 2**i) for i in range(3))
        width = 4 * n_filters
        self.blocks = nn.ModuleList(
            InceptionModule(
                n_channels if i == 0 else width,
                n_filters,
                kernel_sizes,
                bottleneck_size,
            )
            for i in range(depth)
        )
        self.use_residual = use_residual
        shortcuts = []
        if use_residual:
            in_channels = n_channels
            for i in range(depth):
                if i % 3 == 2:
                    shortcuts.append(
                        nn.Sequential(
                            nn.Conv1d(in_channels, width, 1, bias=False),
                            nn.BatchNorm1d(width),
                        )
                    )
                    in_channels = width
        self.shortcuts = nn.ModuleList(shortcuts)
        self.out_channels = width

    def forward(self, x, mask=None):
        """Features of shape ``(batch, 4 * n_filters, time)``, zero where padded.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, n_channels, time)
            Input, zero at padded timepoints.
        mask : torch.Tensor of shape (batch, time) or None
            Valid timepoints.

        Returns
        -------
        torch.Tensor of shape (batch, 4 * n_filters, time)
        """
        residual = x
        for i, module in enumerate(self.blocks):
            x = module(x, mask)
            if self.use_residual and i % 3 == 2:
                x = torch.relu(x + self.shortcuts[i // 3](residual))
                x = zero_padding(x, mask)
                residual = x
        return x


class InceptionTimeNet(nn.Module):
    """InceptionTime regressor network: one or an averaged ensemble of networks.

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_timepoints : int
        Input length.
    n_filters : int, default=32
        Filters per branch.
    depth : int, default=6
        Inception modules per network.
    kernel_size : int, default=40
        Largest kernel (branches use 40, 20, 10).
    bottleneck_size : int, default=32
        Bottleneck channels.
    use_residual : bool, default=True
        Shortcut every three modules.
    n_ensemble : int, default=1
        Number of member networks, each with its own random initialization; the
        output is their mean (5 gives InceptionTime proper).

    Notes
    -----
    Input ``x`` of shape ``(batch, n_channels, time)`` is zero-padded after
    ``lengths``; global average pooling counts only valid timepoints. Members of an
    ensemble are trained jointly on the loss of their mean (one optimiser, one early
    stopping), not independently as in Ismail Fawaz et al. (2020).

    References
    ----------
    .. [1] H. Ismail Fawaz et al., "InceptionTime: Finding AlexNet for time series
       classification", Data Mining and Knowledge Discovery 34, 1936 (2020).

    Examples
    --------
    >>> import torch
    >>> net = InceptionTimeNet(1, 30, n_filters=4, depth=3, n_ensemble=2)
    >>> net(torch.randn(5, 1, 30), torch.tensor([30, 20, 10, 5, 30])).shape
    torch.Size([5, 1])
    """

    def __init__(
        self,
        n_channels,
        n_timepoints,
        *,
        n_filters=32,
        depth=6,
        kernel_size=40,
        bottleneck_size=32,
        use_residual=True,
        n_ensemble=1,
    ):
        super().__init__()
        self.members = nn.ModuleList(
            InceptionNetwork(
                n_channels,
                n_timepoints,
                n_filters=n_filters,
                depth=depth,
                kernel_size=kernel_size,
                bottleneck_size=bottleneck_size,
                use_residual=use_residual,
            )
            for _ in range(n_ensemble)
        )
        self.heads = nn.ModuleList(
            nn.Linear(4 * n_filters, 1) for _ in range(n_ensemble)
        )

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
        mask = lengths_to_mask(lengths, x.shape[-1])
        x = zero_padding(x, mask)
        outputs = [
            head(masked_mean(member(x, mask), mask))
            for member, head in zip(self.members, self.heads)
        ]
        return torch.stack(outputs, dim=0).mean(dim=0)
