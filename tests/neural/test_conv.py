"""Convolutional, convolutional-recurrent and dense regressors."""

import numpy as np
import pytest
import torch
from torch import nn

from skrrl.neural import (
    ConvGRURegressor,
    ConvLSTMRegressor,
    DNNRegressor,
    FCNRegressor,
    MLPRegressor,
    ResNetRegressor,
)

SMALL = {
    FCNRegressor: {"filters": (4, 6), "kernel_sizes": (4, 3)},
    ResNetRegressor: {"filters": (4, 6), "kernel_sizes": (4, 3)},
    ConvGRURegressor: {"filters": (4,), "kernel_sizes": (3,), "hidden_sizes": (3, 2)},
    ConvLSTMRegressor: {
        "filters": (4,),
        "kernel_sizes": (3,),
        "hidden_sizes": (3,),
        "pool_size": 3,
    },
}


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.mark.parametrize("cls", list(SMALL))
def test_padded_batch_equals_each_series_alone(cls):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 2, 13))
    lengths = rng.randint(1, 14, size=30)
    lengths[0] = 13
    for i, length in enumerate(lengths):
        X[i, :, length:] = np.nan
    y = np.array([np.nanmean(x) for x in X])
    reg = cls(max_epochs=2, batch_size=8, random_state=0, device="cpu", **SMALL[cls])
    batch = reg.fit(X, y).predict(X)
    module = reg.net_.module_.eval()
    with torch.inference_mode():
        alone = np.array(
            [
                module(torch.tensor(x[None, :, :n], dtype=torch.float32)).item()
                for x, n in zip(X, lengths)
            ]
        )
        zero_filled = module(torch.tensor(np.nan_to_num(X), dtype=torch.float32))
    np.testing.assert_allclose(batch, alone, rtol=1e-5, atol=1e-6)
    assert np.abs(zero_filled.numpy().ravel() - batch)[lengths < 13].max() > 1e-4


def test_paper_architectures():
    fcn = FCNRegressor()._build_module(2, 264)
    convs = [m for m in fcn.modules() if isinstance(m, nn.Conv1d)]
    assert [(c.out_channels, c.kernel_size[0]) for c in convs] == [
        (128, 8),
        (256, 5),
        (128, 3),
    ]
    resnet = ResNetRegressor()._build_module(2, 264)
    assert [b.norms[-1].num_features for b in resnet.blocks] == [64, 128, 128]
    assert all(len(b.convs) == 3 for b in resnet.blocks)
    conv_gru = ConvGRURegressor()._build_module(2, 264)
    assert all(isinstance(m, nn.GRU) for m in conv_gru.rnn.layers)
    assert [m.hidden_size for m in conv_gru.rnn.layers] == [8, 4]
    conv_lstm = ConvLSTMRegressor()._build_module(2, 264)
    assert all(isinstance(m, nn.LSTM) for m in conv_lstm.rnn.layers)
    assert len(conv_lstm.rnn.layers) == 2


def test_mlp_learns_a_linear_map():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 5))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0, 1.5])
    reg = MLPRegressor(
        hidden_sizes=(32,),
        lr=0.01,
        batch_size=64,
        max_epochs=60,
        patience=10,
        random_state=0,
        device="cpu",
    ).fit(X, y)
    assert reg.score(X, y) > 0.98


def test_dnn_layers():
    net = DNNRegressor()._build_module(1, 7)
    linears = [m for m in net.modules() if isinstance(m, nn.Linear)]
    assert [m.out_features for m in linears] == [256, 128, 64, 32, 1]
    assert linears[0].in_features == 7
    assert sum(isinstance(m, nn.BatchNorm1d) for m in net.modules()) == 4
    assert [m.p for m in net.modules() if isinstance(m, nn.Dropout)] == [0.1] * 4


@pytest.mark.parametrize(
    "reg",
    [
        FCNRegressor(filters=(3,), kernel_sizes=(3,)),
        DNNRegressor(hidden_sizes=(4,)),
    ],
)
def test_batch_norm_nets_train_when_a_last_batch_would_hold_one_sample(reg):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(33, 8)), rng.normal(size=33)  # 33 = 2 * 16 + 1
    reg.set_params(batch_size=16, validation_fraction=None, max_epochs=2, device="cpu")
    assert np.isfinite(reg.fit(X, y).predict(X)).all()
    with pytest.raises(ValueError, match="at least 2 training samples"):
        reg.fit(X[:1], y[:1])
