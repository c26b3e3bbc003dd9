"""InceptionTime network: shapes, Keras-style padding, padding invariance."""

import numpy as np
import pytest
import torch

from skrrl.neural.networks.inception import (
    InceptionModule,
    InceptionNetwork,
    InceptionTimeNet,
)


def _net(**kw):
    torch.manual_seed(0)
    params = {"n_filters": 4, "depth": 6, "kernel_size": 40, "bottleneck_size": 4}
    params.update(kw)
    return InceptionTimeNet(2, 60, **params)


@pytest.mark.parametrize("n_steps", [10, 20, 60])
def test_output_shape(n_steps):
    net = _net()
    assert net(torch.randn(7, 2, n_steps)).shape == (7, 1)


def test_module_structure_matches_paper():
    # kernels 40/20/10, four branches of n_filters, residual every three modules
    net = InceptionNetwork(1, 100)
    first = net.blocks[0]
    assert [c.kernel_size[0] for c in first.convs] == [40, 20, 10]
    assert first.bottleneck is None  # a single input channel: no bottleneck
    assert net.blocks[1].bottleneck.out_channels == 32
    assert net.out_channels == 128 and len(net.blocks) == 6
    assert len(net.shortcuts) == 2


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_same_padding_matches_torch_same():
    # asymmetric "same" padding of even kernels, as Keras/torch padding="same"
    torch.manual_seed(1)
    module = InceptionModule(3, n_filters=2, bottleneck_size=3).eval()
    x = torch.randn(2, 3, 31)
    z = module.bottleneck(x)
    out = module(x)
    for i, conv in enumerate(module.convs):
        ref = torch.nn.functional.conv1d(z, conv.weight, padding="same")
        bn = module.bn
        sl = slice(2 * i, 2 * i + 2)
        expected = torch.relu(
            (ref - bn.running_mean[sl, None])
            / torch.sqrt(bn.running_var[sl, None] + bn.eps)
            * bn.weight[sl, None]
            + bn.bias[sl, None]
        )
        torch.testing.assert_close(out[:, sl], expected, atol=1e-5, rtol=1e-5)


def _randomize_batchnorm(net):
    # fresh running statistics are 0/1, which would hide masking mistakes
    gen = torch.Generator().manual_seed(3)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm1d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=gen))
            m.running_var.copy_(torch.rand(m.num_features, generator=gen) + 0.5)


@pytest.mark.parametrize("n_ensemble", [1, 2])
def test_padding_invariance_in_eval_mode(n_ensemble):
    net = _net(n_ensemble=n_ensemble).eval()
    _randomize_batchnorm(net)
    gen = torch.Generator().manual_seed(2)
    lengths = [60, 45, 17, 5]
    series = [torch.randn(2, n, generator=gen) for n in lengths]
    padded = torch.zeros(len(series), 2, 60)
    for i, s in enumerate(series):
        padded[i, :, : s.shape[1]] = s
    with torch.no_grad():
        batch = net(padded, torch.tensor(lengths))
        alone = torch.cat([net(s[None]) for s in series])
    torch.testing.assert_close(batch, alone, atol=1e-5, rtol=1e-5)


def test_padding_values_are_ignored():
    # garbage beyond the length (not zeros) must not leak in either
    net = _net().eval()
    x = torch.randn(3, 2, 60)
    lengths = torch.tensor([60, 30, 8])
    noisy = x.clone()
    for i, n in enumerate(lengths):
        noisy[i, :, n:] = 1e3
    with torch.no_grad():
        torch.testing.assert_close(net(x, lengths), net(noisy, lengths))


def test_ensemble_averages_members():
    net = _net(n_ensemble=3).eval()
    x = torch.randn(4, 2, 60)
    with torch.no_grad():
        members = [
            head(member(x).mean(dim=-1)) for member, head in zip(net.members, net.heads)
        ]
        expected = torch.stack(members).mean(dim=0)
        torch.testing.assert_close(net(x), expected)
    # members start from different random weights
    w = [m.blocks[0].convs[0].weight for m in net.members]
    assert not torch.allclose(w[0], w[1])


def test_trains_on_a_toy_problem():
    # the mean level of a series is learnable within a few dozen steps
    torch.manual_seed(0)
    net = InceptionTimeNet(1, 20, n_filters=4, depth=3)
    x = torch.randn(64, 1, 20) + torch.linspace(-2, 2, 64)[:, None, None]
    y = x.mean(dim=-1)
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    losses = []
    for _ in range(60):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-5:]) < 0.2 * np.mean(losses[:5])


def test_estimator_nan_padded_rows_equal_short_series():
    from skrrl.neural import InceptionTimeRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2, 24))
    reg = InceptionTimeRegressor(n_filters=2, depth=3, max_epochs=2, random_state=0)
    reg.fit(X, X[:, 0].mean(axis=1))
    padded = X[:3].copy()
    padded[1, :, 15:] = np.nan
    padded[2, :, 6:] = np.nan
    module = reg.net_.module_.eval()
    with torch.no_grad():
        short = [
            module(torch.tensor(X[i : i + 1, :, :n], dtype=torch.float32)).item()
            for i, n in enumerate([24, 15, 6])
        ]
    np.testing.assert_allclose(reg.predict(padded), short, rtol=1e-4, atol=1e-5)
