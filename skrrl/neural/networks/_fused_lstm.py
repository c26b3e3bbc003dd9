"""An LSTM layer with a hand-written backward pass through time, for the CPU.

The LSTM counterpart of :mod:`._fused_gru` (read that module first): the
same ``(features, time, batch)`` layout, a row of ones appended to the hidden
state so that ``W_hh h + b_hh`` is one product, ``tanh`` as ``2 sigmoid(2x) -
1``, states kept and gates recomputed by blocks in the backward, where a step
costs five operations: with ``d_t`` the gate gradients of step ``t``,

- ``dh_t = dL/dh_t + W_hh^T d_{t+1}`` (one ``addmm``),
- ``dc_t = dc_{t+1} f_{t+1} + dh_t o_t (1 - tanh(c_t)^2)``,
- ``d_t = [dc_t, dc_t, dc_t, dh_t] * k_t`` (two products), and the carried
  ``dc_t f_t``.

Results and gradients equal ``nn.LSTM``'s (checked in the tests).
"""

import torch
from torch import nn
from torch.autograd.function import once_differentiable

from skrrl.neural.networks._fused import (
    BLOCK,
    FusedRNNMixin,
    as_matrix,
    backward_blocks,
    doubled_rows,
    tanh_via_sigmoid,
)


def _activate(gates, hidden):
    """In place: sigmoid of the i, f, o rows and, the g rows holding ``2p``,
    ``tanh(p) = 2 sigmoid(2p) - 1``. Returns the four gates."""
    gates.sigmoid_()
    i, f, g, o = gates.split(hidden)
    g.mul_(2).sub_(1)
    return i, f, g, o


class _LSTMRecurrence(torch.autograd.Function):
    """One direction of one LSTM layer over a ``(features, time, batch)`` series.

    ``forward(x, w_ih, w_hh, b_ih, b_hh, mask)`` with ``x`` of shape
    ``(I, T, B)`` and ``mask`` None or bool ``(1, T, B)`` (False: both states
    are carried unchanged) returns the hidden states ``(H, T, B)`` and the
    last cell state ``(H, B)``.
    """

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, mask):
        _, steps, batch = x.shape
        hidden = w_hh.shape[1]
        scale = doubled_rows(4 * hidden, 2 * hidden, 3 * hidden, w_hh)
        w_i, b_i = w_ih * scale, b_ih[:, None] * scale
        w_h = torch.cat((w_hh, b_hh[:, None]), dim=1) * scale  # on [h; 1]
        h = x.new_empty(hidden + 1, steps + 1, batch)  # [h; 1] of each step
        h[:hidden, 0] = 0
        h[hidden] = 1
        c = x.new_zeros(hidden, steps + 1, batch)
        gates = x.new_empty(4 * hidden, batch)
        tanh_c = x.new_empty(hidden, batch)
        h_aug, h_steps, c_steps = h.unbind(1), h[:hidden].unbind(1), c.unbind(1)
        masks = None if mask is None else mask.unbind(1)
        for start in range(0, steps, BLOCK):
            gi = torch.addmm(b_i, w_i, as_matrix(x[:, start : start + BLOCK]))
            gi = gi.view(4 * hidden, -1, batch).unbind(1)
            for t, g_t in enumerate(gi, start):
                torch.addmm(g_t, w_h, h_aug[t], out=gates)
                i, f, g, o = _activate(gates, hidden)
                # unmasked, the new states are written in place
                c_out = c_steps[t + 1] if masks is None else None
                c_new = torch.mul(f, c_steps[t], out=c_out).addcmul_(i, g)
                tanh_via_sigmoid(c_new, out=tanh_c)
                if masks is None:
                    torch.mul(o, tanh_c, out=h_steps[t + 1])
                else:
                    torch.where(masks[t], c_new, c_steps[t], out=c_steps[t + 1])
                    h_new = torch.mul(o, tanh_c)
                    torch.where(masks[t], h_new, h_steps[t], out=h_steps[t + 1])
        ctx.save_for_backward(x, w_ih, w_hh, w_i, b_i, w_h, h, c, mask)
        return h[:hidden, 1:], c[:, -1]

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_h, grad_c):
        x, w_ih, w_hh, w_i, b_i, w_h, h, c, mask = ctx.saved_tensors
        hidden, steps, batch = grad_h.shape
        grad_x = x.new_empty(x.shape) if ctx.needs_input_grad[0] else None
        bias = w_hh.new_zeros(4 * hidden)
        grads = [torch.zeros_like(w_ih), torch.zeros_like(w_hh), bias]
        # d h_{t-1} = [W_hh^T | I] @ [d_t; masked dh_t]: the identity carries
        # the gradient through steps after a series' end
        eye = torch.eye(hidden, dtype=w_hh.dtype)
        w_back = torch.cat((w_hh.t(), eye), dim=1) if mask is not None else w_hh.t()
        carry_h = grad_h.new_zeros(hidden, batch)
        carry_c = grad_h.new_zeros(hidden, batch) if grad_c is None else grad_c
        for block in backward_blocks(steps):
            carry_h, carry_c = _block_backward(
                x[:, block],
                h[:, block.start : block.stop + 1],
                c[:, block.start : block.stop + 1],
                grad_h[:, block],
                None if mask is None else mask[:, block],
                (carry_h, carry_c),
                (w_i, b_i, w_h, w_ih, w_back),
                grads,
                None if grad_x is None else grad_x[:, block],
            )
        grad_w_ih, grad_w_hh, grad_b = grads
        return grad_x, grad_w_ih, grad_w_hh, grad_b, grad_b.clone(), None


def _block_backward(x, h, c, grad_h, mask, carry, params, grads, grad_x):
    """Backward through one block of steps (``h`` holds ``[h; 1]`` and, like
    ``c``, the state before the block's first step). Returns the carried
    ``(W_back @ d, dc f)`` of the block's first step and accumulates the
    parameter gradients into ``grads``."""
    w_i, b_i, w_h, w_ih, w_back = params
    carry_h, carry_c = carry
    hidden, steps, batch = grad_h.shape
    previous = h[:, :-1]
    # the gates of the block's steps, at once
    gates = torch.addmm(b_i, w_i, as_matrix(x)).addmm_(w_h, as_matrix(previous))
    i, f, g, o = (gate.view(hidden, steps, batch) for gate in _activate(gates, hidden))
    tanh_c = tanh_via_sigmoid(c[:, 1:])
    # dc_t = carry + dh_t * a_t;  d_t = [dc_t * k[0:3], dh_t * k[3]]
    a = o * torch.addcmul(torch.ones_like(tanh_c), tanh_c, tanh_c, value=-1)
    k = x.new_empty(4 + (mask is not None), hidden, steps, batch)
    torch.mul(g, torch.addcmul(i, i, i, value=-1), out=k[0])  # d c / d i_pre
    torch.mul(c[:, :-1], torch.addcmul(f, f, f, value=-1), out=k[1])
    torch.mul(i, torch.addcmul(torch.ones_like(g), g, g, value=-1), out=k[2])
    torch.mul(tanh_c, torch.addcmul(o, o, o, value=-1), out=k[3])
    keep_c = f  # d c_t / d c_{t-1}
    if mask is not None:
        k[:4].mul_(mask)
        a = a * mask
        k[4].copy_(~mask)  # identity path of the carried states
        keep_c = torch.where(mask, f, torch.ones_like(f))
    total_h = torch.empty_like(grad_h)
    total_c = torch.empty_like(grad_h)
    product = x.new_empty(k.shape[0], hidden, batch)
    flat = product.view(-1, batch)
    steps_k, steps_a, steps_f = k.unbind(2), a.unbind(1), keep_c.unbind(1)
    steps_g, steps_th, steps_tc = grad_h.unbind(1), total_h.unbind(1), total_c.unbind(1)
    for t in range(steps - 1, -1, -1):
        if t == steps - 1:  # the block's last step: the carry of the next block
            dh = torch.add(steps_g[t], carry_h, out=steps_th[t])
        else:
            dh = torch.addmm(steps_g[t], w_back, flat, out=steps_th[t])
        dc = torch.addcmul(carry_c, dh, steps_a[t], out=steps_tc[t])
        torch.mul(steps_k[t][:3], dc, out=product[:3])
        torch.mul(steps_k[t][3:], dh, out=product[3:])
        carry_c = dc * steps_f[t]
    carry_h = w_back @ flat
    # gate gradients of all steps: (4 hidden, steps * batch)
    d = torch.empty_like(k[:4])
    torch.mul(k[:3], total_c, out=d[:3])
    torch.mul(k[3], total_h, out=d[3])
    d = d.view(4 * hidden, steps * batch)
    if grad_x is not None:
        grad_x.copy_((w_ih.t() @ d).view_as(grad_x))
    grad_w_ih, grad_w_hh, grad_b = grads
    grad_w_ih.addmm_(d, as_matrix(x).t())
    grad_w_hh.addmm_(d, as_matrix(previous[:hidden]).t())
    grad_b += d.sum(1)
    return carry_h, carry_c


class FusedLSTM(FusedRNNMixin, nn.LSTM):
    """Single-layer ``nn.LSTM`` (batch first) trained with a fused backward on CPU.

    Same parameters, initialisation and results as ``nn.LSTM(input_size,
    hidden_size, batch_first=True, bidirectional=...)``; ``forward(x,
    lengths=None)`` takes the valid ``lengths`` of a padded batch instead of a
    ``PackedSequence`` (which it accepts too).

    Parameters
    ----------
    input_size, hidden_size : int
        As in ``nn.LSTM``.
    bidirectional : bool, default=False
        Run a second, time-reversed direction (within each valid length).

    Examples
    --------
    >>> import torch
    >>> lstm = FusedLSTM(2, 4)
    >>> out, (h, c) = lstm(torch.zeros(3, 5, 2), lengths=torch.tensor([5, 2, 1]))
    >>> out.shape, h.shape, c.shape
    (torch.Size([3, 5, 4]), torch.Size([1, 3, 4]), torch.Size([1, 3, 4]))
    """

    _recurrence = _LSTMRecurrence
