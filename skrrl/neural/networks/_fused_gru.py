"""A GRU layer with a hand-written backward pass through time, for the CPU.

On the CPU, ``nn.GRU`` trains through autograd: every timestep records some
twenty small operations whose dispatch, not their arithmetic, dominates the
cost at the sizes of light-curve models (a batch of 256 series, 8-20 units).
:class:`FusedGRU` is an ``nn.GRU`` whose CPU training runs the recurrence in
one :class:`torch.autograd.Function`:

- the series is laid out ``(features, time, batch)``, so every gate of a step
  is a block of rows and the products over many steps (input projections,
  weight gradients) are single matrix products of strided views;
- the forward runs on ``u = (h + 1) / 2`` with a row of ones appended, so a
  step is six operations (see :class:`_GRURecurrence`), and keeps only the
  states;
- the backward recomputes the gates of a block of steps at once, then needs
  two operations per step: ``g_t = dL/dh_t + W @ p_{t+1}`` (one ``addmm``) and
  ``p_t = k_t * g_t``, where ``k_t`` holds every factor that does not depend on
  the incoming gradient;
- ``tanh`` is evaluated as ``2 sigmoid(2x) - 1`` (the CPU sigmoid kernel is
  vectorised, ``tanh`` about ten times slower).

The parameters, their names and the results are those of ``nn.GRU`` (checked
against it in the tests, gradients included), so state dicts are
interchangeable. Inference and CUDA use ``nn.GRU`` itself (see
:func:`use_fused`). Padded batches freeze each series' state after its last
valid step instead of packing; outputs after a series' end are zeros, as with
packed sequences.
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
)


class _GRURecurrence(torch.autograd.Function):
    """One direction of one GRU layer over a ``(features, time, batch)`` series.

    ``forward(x, w_ih, w_hh, b_ih, b_hh, mask)`` with ``x`` of shape
    ``(I, T, B)`` and ``mask`` None or bool ``(1, T, B)`` (False: the state is
    carried unchanged) returns the states ``(H, T, B)``.

    The loop runs on ``u = (h + 1) / 2`` with a row of ones appended: with
    ``s = sigmoid(2 p_n)`` (so ``n = tanh(p_n) = 2 s - 1``) the update
    ``h' = (1 - z) n + z h`` becomes ``u' = lerp(s, u, z)``, and ``W h + b =
    [2 W | b - W 1] @ [u; 1]`` is one product without a bias copy: a step is six
    operations.
    """

    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh, mask):
        _, steps, batch = x.shape
        hidden = w_hh.shape[1]
        scale = doubled_rows(3 * hidden, 2 * hidden, 3 * hidden, w_hh)
        w_i, b_i = w_ih * scale, b_ih[:, None] * scale
        w_u = torch.cat((2 * w_hh, (b_hh - w_hh.sum(1))[:, None]), dim=1) * scale
        states = x.new_empty(hidden + 1, steps + 1, batch)  # [u; 1] of each step
        states[:hidden, 0] = 0.5  # h = 0
        states[hidden] = 1
        gh = x.new_empty(3 * hidden, batch)
        rz = x.new_empty(2 * hidden, batch)
        s = x.new_empty(hidden, batch)
        r, z = rz[:hidden], rz[hidden:]
        gh_rz, gh_n = gh[: 2 * hidden], gh[2 * hidden :]
        # per-step views made in one call each (indexing in the loop costs more
        # than the arithmetic)
        u_aug, u = states.unbind(1), states[:hidden].unbind(1)
        masks = None if mask is None else mask.unbind(1)
        for start in range(0, steps, BLOCK):
            # input projections of a block of steps (stays in cache)
            gi = torch.addmm(b_i, w_i, as_matrix(x[:, start : start + BLOCK]))
            gi = gi.view(3 * hidden, -1, batch)
            gi_rz, gi_n = gi[: 2 * hidden].unbind(1), gi[2 * hidden :].unbind(1)
            stop = start + len(gi_rz)
            block = zip(gi_rz, gi_n, u_aug[start:stop], u[start:stop], u[start + 1 :])
            for t, (g_rz, g_n, previous_aug, previous, new) in enumerate(block, start):
                torch.mm(w_u, previous_aug, out=gh)
                torch.add(g_rz, gh_rz, out=rz).sigmoid_()
                torch.addcmul(g_n, r, gh_n, out=s).sigmoid_()
                if masks is None:
                    torch.lerp(s, previous, z, out=new)
                else:
                    step = torch.lerp(s, previous, z)
                    torch.where(masks[t], step, previous, out=new)
        ctx.save_for_backward(x, w_ih, w_hh, w_i, b_i, w_u, states, mask)
        return states[:hidden, 1:] * 2 - 1, None

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_states, _):
        x, w_ih, w_hh, w_i, b_i, w_u, states, mask = ctx.saved_tensors
        hidden, steps, batch = grad_states.shape
        grad_x = x.new_empty(x.shape) if ctx.needs_input_grad[0] else None
        bias = w_hh.new_zeros(3 * hidden)
        grads = [torch.zeros_like(w_ih), torch.zeros_like(w_hh), bias, bias.clone()]
        # d h_{t-1} = [W_r^T | W_z^T | W_n^T | I] @ (k_t * g_t): one product
        w_back = torch.cat((w_hh.t(), torch.eye(hidden, dtype=w_hh.dtype)), dim=1)
        carry = grad_states.new_zeros(hidden, batch)
        # blocks of steps, last first: the temporaries of a block stay in cache
        for block in backward_blocks(steps):
            carry = _block_backward(
                x[:, block],
                states[:, block],
                grad_states[:, block],
                None if mask is None else mask[:, block],
                carry,
                (w_ih, w_i, b_i, w_u, w_back),
                grads,
                None if grad_x is None else grad_x[:, block],
            )
        return (grad_x, *grads, None)


def _block_backward(x, previous, grad_states, mask, carry, params, grads, grad_x):
    """Backward through one block of steps of a ``(features, time, batch)`` series.

    ``previous`` holds the ``[u; 1]`` states before each step of the block.
    Returns the gradient carried to the state before the block; accumulates
    the parameter gradients into ``grads`` and writes ``grad_x``.
    """
    w_ih, w_i, b_i, w_u, w_back = params
    hidden, steps, batch = grad_states.shape
    inputs = as_matrix(x)
    # the gates of the block's steps, at once (n-gate terms doubled)
    gi = torch.addmm(b_i, w_i, inputs).view(3 * hidden, steps, batch)
    gh = (w_u @ as_matrix(previous)).view(3 * hidden, steps, batch)
    h = previous[:hidden] * 2 - 1
    rz = torch.add(gi[: 2 * hidden], gh[: 2 * hidden]).sigmoid_()
    r, z = rz[:hidden], rz[hidden:]
    n = torch.addcmul(gi[2 * hidden :], r, gh[2 * hidden :]).sigmoid_()
    n.mul_(2).sub_(1)
    # k: d h_t / d [r_pre, z_pre, gh_n, h_{t-1} (direct)]; gates outermost
    k = x.new_empty(4, hidden, steps, batch)
    one_z = 1 - z
    a = torch.addcmul(one_z, one_z * n, n, value=-1)  # d h / d n_pre
    if mask is not None:
        a.mul_(mask)
    # r gate: a * gh_n * r * (1 - r), with gh_n = doubled / 2
    torch.mul(a * gh[2 * hidden :], torch.addcmul(r, r, r, value=-1), out=k[0])
    k[0].mul_(0.5)
    torch.mul((h - n) * z, one_z, out=k[1])  # z gate
    torch.mul(a, r, out=k[2])  # recurrent n product
    if mask is None:
        k[3] = z  # direct path
    else:
        k[1].mul_(mask)
        torch.where(mask, z, z.new_ones(()), out=k[3])
    # g_t = dL/dh_t + W_back @ p_{t+1} (one addmm), p_t = k_t * g_t
    total = torch.empty_like(h)  # gradient reaching each state
    product = x.new_empty(4, hidden, batch)
    flat = product.view(4 * hidden, batch)
    steps_k, steps_g, steps_total = k.unbind(2), grad_states.unbind(1), total.unbind(1)
    torch.add(steps_g[-1], carry, out=steps_total[-1])
    torch.mul(steps_k[-1], steps_total[-1], out=product)
    earlier = zip(steps_k[-2::-1], steps_g[-2::-1], steps_total[-2::-1])
    for k_t, g_t, total_t in earlier:
        torch.addmm(g_t, w_back, flat, out=total_t)
        torch.mul(k_t, total_t, out=product)
    carry = w_back @ flat
    # pre-activation gradients: r, z, n (input side), n (recurrent side)
    dg = torch.empty_like(k)
    torch.mul(k[:2], total, out=dg[:2])
    torch.mul(a, total, out=dg[2])
    torch.mul(k[2], total, out=dg[3])
    dg = dg.view(4 * hidden, steps * batch)
    dgi, dgh_rz, dgh_n = dg[: 3 * hidden], dg[: 2 * hidden], dg[3 * hidden :]
    states = as_matrix(h).t()
    if grad_x is not None:
        grad_x.copy_((w_ih.t() @ dgi).view_as(grad_x))
    grad_w_ih, grad_w_hh, grad_b_ih, grad_b_hh = grads
    grad_w_ih.addmm_(dgi, inputs.t())
    grad_w_hh[: 2 * hidden].addmm_(dgh_rz, states)
    grad_w_hh[2 * hidden :].addmm_(dgh_n, states)
    dgi_sum = dgi.sum(1)
    grad_b_ih += dgi_sum
    grad_b_hh[: 2 * hidden] += dgi_sum[: 2 * hidden]
    grad_b_hh[2 * hidden :] += dgh_n.sum(1)
    return carry


class FusedGRU(FusedRNNMixin, nn.GRU):
    """Single-layer ``nn.GRU`` (batch first) trained with a fused backward on CPU.

    Same parameters, initialisation and results as ``nn.GRU(input_size,
    hidden_size, batch_first=True, bidirectional=...)``; ``forward(x,
    lengths=None)`` takes the valid ``lengths`` of a padded batch instead of a
    ``PackedSequence`` (which it accepts too). Stacks keep the ``(features,
    time, batch)`` layout between layers with
    :func:`~skrrl.neural.networks._fused.fused_layer`.

    Parameters
    ----------
    input_size, hidden_size : int
        As in ``nn.GRU``.
    bidirectional : bool, default=False
        Run a second, time-reversed direction (within each valid length).

    Examples
    --------
    >>> import torch
    >>> gru = FusedGRU(2, 4)
    >>> out, h = gru(torch.zeros(3, 5, 2), lengths=torch.tensor([5, 2, 1]))
    >>> out.shape, h.shape
    (torch.Size([3, 5, 4]), torch.Size([1, 3, 4]))
    """

    _recurrence = _GRURecurrence
