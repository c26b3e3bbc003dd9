"""What the fused CPU recurrences (:mod:`._fused_gru`, :mod:`._fused_lstm`) share.

A fused layer is an ``nn.GRU``/``nn.LSTM`` (same parameters, names and
initialisation) whose CPU training runs each direction as one
:class:`torch.autograd.Function` on a ``(features, time, batch)`` series
(``layer._recurrence``; it returns the hidden states ``(H, T, B)`` and the
final cell state, or None for a GRU). This module runs the directions, the
padding and the conversions; inference and CUDA use torch's own kernels.
"""

import torch
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
BLOCK = 16  # steps per block of the recurrences (measured fastest on CPU)


def use_fused(x):
    """Whether a fused layer runs its own recurrence on ``x``: a CPU tensor
    outside :func:`torch.inference_mode` (training, and skorch's validation
    under ``no_grad``). ``predict`` runs in inference mode and gets torch's own
    kernels, whose result for a series does not depend on the other series of
    the batch (the fused products' rounding can, by 1e-7); CUDA always uses
    torch's (cuDNN) kernels."""
    return (
        isinstance(x, torch.Tensor)
        and x.device.type == "cpu"
        and not torch.is_inference_mode_enabled()
    )


def as_matrix(x):
    """View ``(F, T, B)`` as ``(F, T * B)`` (copying only if it cannot)."""
    return x.reshape(x.shape[0], -1)


def doubled_rows(rows, start, stop, like):
    """Column of ``rows`` ones, 2 in ``[start, stop)``: the rows of a gate whose
    ``tanh(p)`` is computed as ``2 sigmoid(2p) - 1`` (the CPU sigmoid kernel is
    vectorised, ``tanh`` about ten times slower)."""
    scale = like.new_ones(rows, 1)
    scale[start:stop] = 2
    return scale


def tanh_via_sigmoid(x, out=None):
    """``tanh(x)`` as ``2 sigmoid(2x) - 1`` (exact to float rounding)."""
    return torch.mul(x, 2, out=out).sigmoid_().mul_(2).sub_(1)


def backward_blocks(steps):
    """Slices of ``BLOCK`` steps covering ``range(steps)``, the last first."""
    for stop in range(steps, 0, -BLOCK):
        yield slice(max(0, stop - BLOCK), stop)


def _reverser(lengths):
    """Function reversing the series of a ``(features, time, batch)`` batch in
    time, each within its valid length (steps after it stay in place)."""
    if lengths is None:
        return lambda x: x.flip(1)

    def reverse(x):
        t = torch.arange(x.shape[1], device=x.device)[:, None]
        index = torch.where(t < lengths[None, :], lengths[None, :] - 1 - t, t)
        return x.gather(1, index[None].expand_as(x))

    return reverse


def fused_layer(layer, seq, lengths=None):
    """Run a fused layer on a ``(features, time, batch)`` series.

    Parameters
    ----------
    layer : FusedGRU or FusedLSTM
        The layer (its parameters and ``_recurrence``).
    seq : torch.Tensor of shape (input_size, time, batch)
        Input series.
    lengths : torch.Tensor of shape (batch,), default=None
        Valid steps of each series (all when None).

    Returns
    -------
    output : torch.Tensor of shape (directions * hidden_size, time, batch)
        Hidden states of every step (zeros after a series' end).
    h_n : torch.Tensor of shape (directions, hidden_size, batch)
        Hidden state after each series' last valid step, per direction.
    c_n : torch.Tensor of shape (directions, hidden_size, batch) or None
        The same for the cell state of an LSTM; None for a GRU.
    """
    mask = None
    if lengths is not None:
        lengths = lengths.to(seq.device)
        steps = torch.arange(seq.shape[1], device=seq.device)[:, None]
        mask = (steps < lengths[None, :])[None]
    outputs, finals, cells = [], [], []
    for suffix in ("", "_reverse")[: 2 if layer.bidirectional else 1]:
        params = [getattr(layer, f"{name}_l0{suffix}") for name in _NAMES]
        reverse = _reverser(lengths) if suffix else None
        inputs = seq if reverse is None else reverse(seq)
        out, cell = layer._recurrence.apply(inputs, *params, mask)
        finals.append(out[:, -1])
        cells.append(cell)
        outputs.append(out if reverse is None else reverse(out))
    output = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=0)
    if mask is not None:
        output = output * mask  # zeros after each series' end, as when packed
    c_n = None if cells[0] is None else torch.stack(cells)
    return output, torch.stack(finals), c_n


class FusedRNNMixin:
    """``__init__`` and ``forward(x, lengths=None)`` of the fused layers: one
    layer, batch first, optionally bidirectional."""

    def __init__(self, input_size, hidden_size, *, bidirectional=False):
        super().__init__(
            input_size, hidden_size, batch_first=True, bidirectional=bidirectional
        )

    def forward(self, x, lengths=None):
        """Run the layer.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, time, input_size) or PackedSequence
            Input; steps after a series' length are ignored.
        lengths : torch.Tensor of shape (batch,), default=None
            Valid steps of each series (all steps when None).

        Returns
        -------
        output : torch.Tensor of shape (batch, time, directions * hidden_size)
            Hidden states of every step (zeros after a series' end).
        state : torch.Tensor or tuple of torch.Tensor
            ``h_n`` (GRU) or ``(h_n, c_n)`` (LSTM), each of shape
            ``(directions, batch, hidden_size)``, as torch's layers return.
        """
        if not use_fused(x):
            return self._forward_packed(x, lengths)
        output, h_n, c_n = fused_layer(self, x.permute(2, 1, 0), lengths)
        h_n = h_n.transpose(1, 2)
        state = h_n if c_n is None else (h_n, c_n.transpose(1, 2))
        return output.permute(2, 1, 0), state

    def _forward_packed(self, x, lengths):
        if lengths is None or isinstance(x, PackedSequence):
            return super().forward(x)
        packed = pack_padded_sequence(
            x, lengths.cpu(), batch_first=True, enforce_sorted=False
        )
        out, state = super().forward(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
        return out, state
