"""Helpers for NaN-padded (unequal-length) series inside networks."""

import torch


def lengths_to_mask(lengths, n_timepoints, device=None):
    """Boolean mask of valid timepoints.

    Parameters
    ----------
    lengths : torch.Tensor of shape (batch,) or None
        Valid length of each series. ``None`` means all valid.
    n_timepoints : int
        Padded length.
    device : torch.device, default=None
        Device of the mask when ``lengths`` is None.

    Returns
    -------
    torch.Tensor of shape (batch, n_timepoints) or None
        True where the timepoint is valid; None when ``lengths`` is None.

    Examples
    --------
    >>> import torch
    >>> lengths_to_mask(torch.tensor([1, 3]), 3)
    tensor([[ True, False, False],
            [ True,  True,  True]])
    """
    if lengths is None:
        return None
    steps = torch.arange(n_timepoints, device=lengths.device)
    return steps[None, :] < lengths[:, None]


def zero_padding(x, mask, *, channels_last=False):
    """Set the padded timepoints of ``x`` to zero.

    Convolutions and batch normalisation spread values into the padding; zeroing
    it after each layer keeps the valid outputs equal to those of the unpadded
    series.

    Parameters
    ----------
    x : torch.Tensor of shape (batch, channels, time) or (batch, time, channels)
        Features; time last unless ``channels_last``.
    mask : torch.Tensor of shape (batch, time) or None
        Valid timepoints; None leaves ``x`` unchanged.
    channels_last : bool, default=False
        Whether ``x`` is laid out (batch, time, channels).

    Returns
    -------
    torch.Tensor
        Same shape as ``x``.

    Examples
    --------
    >>> import torch
    >>> zero_padding(torch.ones(1, 2, 3), torch.tensor([[True, True, False]]))
    tensor([[[1., 1., 0.],
             [1., 1., 0.]]])
    """
    if mask is None:
        return x
    keep = mask[:, :, None] if channels_last else mask[:, None, :]
    return x.masked_fill(~keep, 0.0)


def masked_mean(x, mask):
    """Mean over the last axis counting only valid timepoints.

    Parameters
    ----------
    x : torch.Tensor of shape (batch, channels, time)
        Features.
    mask : torch.Tensor of shape (batch, time) or None
        Valid timepoints; None averages over all.

    Returns
    -------
    torch.Tensor of shape (batch, channels)

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[[1.0, 3.0, 100.0]]])
    >>> masked_mean(x, torch.tensor([[True, True, False]]))
    tensor([[2.]])
    """
    if mask is None:
        return x.mean(dim=-1)
    m = mask[:, None, :].to(x.dtype)
    return (x * m).sum(dim=-1) / m.sum(dim=-1).clamp_min(1.0)


def downsample_lengths(lengths, n_in, n_out):
    """Valid lengths after a layer maps ``n_in`` timepoints to ``n_out``.

    Parameters
    ----------
    lengths : torch.Tensor of shape (batch,) or None
        Valid lengths before the layer.
    n_in, n_out : int
        Time axis size before and after (pooling, strided convolution).

    Returns
    -------
    torch.Tensor of shape (batch,) or None
        ``ceil(lengths * n_out / n_in)``, at least 1.

    Examples
    --------
    >>> import torch
    >>> downsample_lengths(torch.tensor([3, 10]), 10, 5)
    tensor([2, 5])
    """
    if lengths is None:
        return None
    return torch.clamp(
        torch.div(lengths * n_out + n_in - 1, n_in, rounding_mode="floor"), min=1
    )
