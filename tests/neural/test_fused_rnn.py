"""FusedGRU/FusedLSTM against torch's own nn.GRU/nn.LSTM; FastDropout."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from skrrl.neural.networks._dropout import FastDropout
from skrrl.neural.networks._fused import fused_layer, use_fused
from skrrl.neural.networks._fused_gru import FusedGRU
from skrrl.neural.networks._fused_lstm import FusedLSTM

CELLS = {"gru": (FusedGRU, nn.GRU), "lstm": (FusedLSTM, nn.LSTM)}


def _pair(input_size, hidden_size, bidirectional, seed=0, cell="gru"):
    torch.manual_seed(seed)
    fused_cls, torch_cls = CELLS[cell]
    fused = fused_cls(input_size, hidden_size, bidirectional=bidirectional).double()
    reference = torch_cls(
        input_size, hidden_size, batch_first=True, bidirectional=bidirectional
    ).double()
    with torch.no_grad():  # biases are not zero by default: a real test
        for p in fused.parameters():
            p.uniform_(-0.6, 0.6)
    reference.load_state_dict(fused.state_dict())
    return fused, reference


def _states(state):
    """(h_n,) for a GRU, (h_n, c_n) for an LSTM."""
    return state if isinstance(state, tuple) else (state,)


def _reference_run(layer, x, lengths):
    if lengths is None:
        return layer(x)
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out, h = layer(packed)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out, h


@pytest.mark.parametrize("cell", ["gru", "lstm"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("padded", [False, True])
@pytest.mark.parametrize("steps", [1, 7, 40])  # one block, several blocks
def test_outputs_and_every_gradient_equal_torch(cell, bidirectional, padded, steps):
    fused, reference = _pair(3, 5, bidirectional, cell=cell)
    x = torch.randn(6, steps, 3, dtype=torch.float64)
    lengths = None
    if padded:
        lengths = torch.tensor([steps, max(1, steps // 2), 1, steps, 2, steps])
        lengths = lengths.clamp(max=steps)
    x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
    out1, state1 = fused(x1, lengths)
    out2, state2 = _reference_run(reference, x2, lengths)
    np.testing.assert_allclose(out1.detach(), out2.detach(), rtol=0, atol=1e-12)
    for s1, s2 in zip(_states(state1), _states(state2), strict=True):
        np.testing.assert_allclose(s1.detach(), s2.detach(), rtol=0, atol=1e-12)
    # an arbitrary loss on every output and the final states
    w_out = torch.randn_like(out2)
    weights = [torch.randn_like(s) for s in _states(state2)]
    for out, state in ((out1, state1), (out2, state2)):
        loss = (out * w_out).sum()
        for s, w in zip(_states(state), weights):
            loss = loss + (s * w).sum()
        loss.backward()
    np.testing.assert_allclose(x1.grad, x2.grad, rtol=0, atol=1e-12)
    for (name, p1), p2 in zip(fused.named_parameters(), reference.parameters()):
        np.testing.assert_allclose(p1.grad, p2.grad, rtol=0, atol=1e-11, err_msg=name)


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_gradcheck_against_finite_differences(cell):
    fused, _ = _pair(2, 3, bidirectional=True, cell=cell)
    x = torch.randn(2, 20, 3, dtype=torch.float64, requires_grad=True)  # (I, T, B)
    lengths = torch.tensor([20, 7, 1])
    assert torch.autograd.gradcheck(
        lambda x: fused_layer(fused, x, lengths)[0], (x,), eps=1e-6, atol=1e-7
    )


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_float32_matches_torch_and_state_dicts_interchange(cell):
    torch.manual_seed(1)
    fused = CELLS[cell][0](2, 20)
    reference = CELLS[cell][1](2, 20, batch_first=True)
    reference.load_state_dict(fused.state_dict())
    x = torch.randn(64, 100, 2)
    np.testing.assert_allclose(
        fused(x)[0].detach(), reference(x)[0].detach(), rtol=0, atol=2e-6
    )


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_inference_mode_uses_torch_kernels(cell):
    fused, reference = _pair(2, 4, bidirectional=True, cell=cell)
    x = torch.randn(5, 9, 2, dtype=torch.float64)
    assert use_fused(x)
    with torch.inference_mode():
        assert not use_fused(x)
        out1, _ = fused(x)
        out2, _ = reference(x)
    assert torch.equal(out1, out2)


def test_fast_dropout_keeps_the_expected_fraction_unbiased():
    torch.manual_seed(0)
    drop = FastDropout(0.2)
    x = torch.ones(2_000_000)
    y = drop(x)
    kept = y != 0
    # binomial standard error of the kept fraction: 2.8e-4
    assert abs(kept.double().mean().item() - 0.8) < 2e-3
    assert torch.allclose(y[kept], torch.tensor(1 / 0.8), rtol=1e-4)
    assert abs(y.double().mean().item() - 1.0) < 3e-3  # inverted dropout
    assert torch.equal(drop.eval()(x), x)
    assert torch.equal(FastDropout(0.0).train()(x), x)
    # consecutive 16-bit words of one draw are independent: no pair pattern
    pairs = kept[: len(kept) // 2 * 2].view(-1, 2).double()
    both = (pairs[:, 0] * pairs[:, 1]).mean().item()
    assert abs(both - 0.64) < 3e-3
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        FastDropout(1.0)
