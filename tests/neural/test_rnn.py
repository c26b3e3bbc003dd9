"""Recurrent networks: padding invariance, paper architectures, penalties."""

import numpy as np
import pytest
import torch
from torch import nn

from skrrl.neural import (
    BiGRURegressor,
    BiLSTMRegressor,
    GRURegressor,
    LSTMRegressor,
)
from skrrl.neural.networks.rnn import RNNNetwork

RNNS = [GRURegressor, BiGRURegressor, LSTMRegressor, BiLSTMRegressor]


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _padded_data(n=40, n_channels=2, n_timepoints=12, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, n_channels, n_timepoints))
    lengths = rng.randint(3, n_timepoints + 1, size=n)
    lengths[0] = n_timepoints
    for i, length in enumerate(lengths):
        X[i, :, length:] = np.nan
    y = np.array([np.nanmean(x[0]) for x in X])
    return X, y, lengths


@pytest.mark.parametrize("cls", RNNS)
def test_padded_batch_equals_each_series_alone(cls):
    X, y, lengths = _padded_data()
    reg = cls(
        hidden_sizes=(5, 3),
        dropout=0.0,
        max_epochs=2,
        batch_size=16,
        random_state=0,
        device="cpu",
    ).fit(X, y)
    batch = reg.predict(X)
    module = reg.net_.module_.eval()
    with torch.inference_mode():
        alone = np.array(
            [
                module(torch.tensor(x[None, :, :length], dtype=torch.float32)).item()
                for x, length in zip(X, lengths)
            ]
        )
    np.testing.assert_allclose(batch, alone, rtol=1e-5, atol=1e-6)
    # the test can fail: reading the zero padding as data changes predictions
    zero_filled = np.nan_to_num(X)
    with torch.inference_mode():
        unmasked = module(torch.tensor(zero_filled, dtype=torch.float32)).numpy()
    assert np.abs(unmasked.ravel() - batch)[lengths < 12].max() > 1e-3


def test_gru_defaults_are_the_paper_model():
    net = GRURegressor()._build_module(2, 264)
    layers = list(net.layers)
    assert all(isinstance(m, nn.GRU) for m in layers)
    assert [m.hidden_size for m in layers] == [20, 16, 8]
    assert [m.p for m in net.dropouts] == [0.2, 0.2, 0.1]
    assert not any(m.bidirectional for m in layers)
    assert net.penalties == (0.0, 2e-6, 2e-6, 0.0)


def test_bilstm_is_lstm_in_every_layer():
    net = BiLSTMRegressor()._build_module(2, 264)
    # the original's last layer was a GRU
    assert all(isinstance(m, nn.LSTM) and not isinstance(m, nn.GRU) for m in net.layers)
    assert len(net.layers) == 3
    assert all(m.bidirectional for m in net.layers)
    assert [m.hidden_size for m in net.layers] == [20, 16, 16]
    assert net.head.in_features == 32
    # input of layer k+1 is both directions of layer k
    assert [m.input_size for m in net.layers] == [2, 40, 32]


def test_keras_initialisation_and_forget_bias():
    torch.manual_seed(0)
    net = RNNNetwork(3, 5, cell="lstm", hidden_sizes=(6,), dropout=0.0)
    lstm = net.layers[0]
    w_hh = lstm.weight_hh_l0.detach()
    # orthogonal recurrent kernel: orthonormal columns
    np.testing.assert_allclose((w_hh.T @ w_hh).numpy(), np.eye(6), atol=1e-5)
    bias = lstm.bias_ih_l0.detach().numpy()
    np.testing.assert_array_equal(bias[6:12], np.ones(6))  # forget gate
    np.testing.assert_array_equal(np.delete(bias, np.s_[6:12]), np.zeros(18))
    np.testing.assert_array_equal(lstm.bias_hh_l0.detach().numpy(), np.zeros(24))


def test_regularization_loss_bidirectional_hand_computed():
    net = RNNNetwork(
        2,
        4,
        hidden_sizes=(3, 2),
        dropout=0.0,
        bidirectional=True,
        kernel_l1=0.1,
        kernel_l2=0.2,
        recurrent_l1=0.3,
        recurrent_l2=0.4,
    )
    expected = 0.0
    for name, w in net.named_parameters():
        w = w.detach().numpy()
        if "weight_ih" in name:
            expected += 0.1 * np.abs(w).sum() + 0.2 * (w**2).sum()
        elif "weight_hh" in name:
            expected += 0.3 * np.abs(w).sum() + 0.4 * (w**2).sum()
    # 2 layers x 2 directions x (ih, hh)
    assert sum("weight_" in n for n, _ in net.named_parameters()) == 8
    assert net.regularization_loss().item() == pytest.approx(expected, rel=1e-5)
    assert RNNNetwork(2, 4).regularization_loss().item() == 0.0


def test_bidirectional_reads_both_ends():
    """The backward direction's final state summarises the start of the series."""
    net = RNNNetwork(1, 6, hidden_sizes=(4,), dropout=0.0, bidirectional=True).eval()
    x = torch.zeros(2, 1, 6)
    x[1, 0, 0] = 5.0  # differs only at the first step
    out = net(x)
    assert out[0].item() != pytest.approx(out[1].item())


def test_bad_architecture_raises():
    with pytest.raises(ValueError, match="dropout has 3 entries for 1 layers"):
        GRURegressor(hidden_sizes=(4,), max_epochs=1, device="cpu").fit(
            np.zeros((10, 5)), np.arange(10.0)
        )
    with pytest.raises(ValueError, match="cell"):
        RNNNetwork(1, 5, cell="rnn")
