"""Transformer and Informer networks: encodings, ProbSparse attention, masking."""

import math

import numpy as np
import pytest
import torch

from skrrl.neural import InformerRegressor, TransformerRegressor
from skrrl.neural.networks.informer import (
    DistillingLayer,
    InformerNet,
    ProbSparseAttention,
)
from skrrl.neural.networks.transformer import TransformerNet, sinusoidal_encoding


@pytest.mark.parametrize("d", [16, 5])
def test_sinusoidal_encoding_formula(d):
    # Vaswani et al. (2017), Sec. 3.5, written out in plain Python
    n = 50
    pe = sinusoidal_encoding(n, d).numpy()
    expected = np.zeros((n, d))
    for pos in range(n):
        for j in range(d):
            angle = pos / 10000 ** (2 * (j // 2) / d)
            expected[pos, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    np.testing.assert_allclose(pe, expected, atol=1e-6)
    assert np.abs(pe).max() <= 1.0  # unlike the original's raw positions


def test_transformer_uses_the_encoding():
    torch.manual_seed(0)
    net = TransformerNet(1, 30, d_model=8, n_heads=2, n_layers=1)
    torch.testing.assert_close(net.pe, sinusoidal_encoding(30, 8))
    learned = TransformerNet(1, 30, d_model=8, positional_encoding="learned", n_heads=2)
    assert isinstance(learned.pe, torch.nn.Parameter)
    with pytest.raises(ValueError, match="positional_encoding"):
        TransformerNet(1, 30, positional_encoding="raw")


def _padded(lengths, n_channels, n_steps, seed=0):
    gen = torch.Generator().manual_seed(seed)
    series = [torch.randn(n_channels, n, generator=gen) for n in lengths]
    x = torch.full((len(series), n_channels, n_steps), 0.0)
    for i, s in enumerate(series):
        x[i, :, : s.shape[1]] = s
    return series, x


@pytest.mark.parametrize(
    "make",
    [
        lambda: TransformerNet(2, 40, d_model=16, n_heads=4, n_layers=2),
        lambda: TransformerNet(
            2, 40, d_model=16, n_heads=4, n_layers=2, positional_encoding="learned"
        ),
        lambda: InformerNet(2, 40, d_model=16, n_heads=4, n_layers=3, factor=1),
        lambda: InformerNet(2, 40, d_model=16, n_heads=2, n_layers=2, distil=False),
    ],
    ids=["transformer", "transformer-learned", "informer", "informer-nodistil"],
)
def test_padding_invariance(make):
    torch.manual_seed(0)
    net = make().eval()
    for m in net.modules():  # non-trivial running statistics
        if isinstance(m, torch.nn.BatchNorm1d):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
    lengths = [40, 33, 16, 9, 3]
    series, x = _padded(lengths, 2, 40)
    x[1:, :, -1] = 50.0  # non-zero garbage in the padding
    x[0, :, -1] = series[0][:, -1]
    with torch.no_grad():
        batch = net(x, torch.tensor(lengths))
        alone = torch.cat([net(s[None]) for s in series])
    assert batch.shape == (5, 1)
    torch.testing.assert_close(batch, alone, atol=1e-5, rtol=1e-4)


def _full_attention(attn, x, mask):
    b, n, d = x.shape
    h = attn.n_heads

    def split(t):
        return t.view(b, n, h, d // h).transpose(1, 2)

    q, k, v = split(attn.query(x)), split(attn.key(x)), split(attn.value(x))
    scores = q @ k.transpose(-2, -1) / math.sqrt(d // h)
    scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))
    out = torch.softmax(scores, -1) @ v
    return attn.out(out.transpose(1, 2).reshape(b, n, d))


@pytest.mark.parametrize("training", [False, True])
def test_probsparse_with_all_queries_is_full_attention(training):
    # u = factor * ceil(ln L) >= L: every query is active -> softmax attention
    torch.manual_seed(0)
    attn = ProbSparseAttention(12, 3, factor=100).train(training)
    x = torch.randn(4, 25, 12)
    mask = torch.arange(25)[None, :] < torch.tensor([25, 20, 7, 1])[:, None]
    with torch.no_grad():
        out = attn(x, mask)
        ref = _full_attention(attn, x, mask)
    torch.testing.assert_close(out[mask], ref[mask], atol=1e-5, rtol=1e-5)
    ref_sdpa = torch.nn.MultiheadAttention(12, 3, batch_first=True)
    with torch.no_grad():
        ref_sdpa.in_proj_weight.copy_(
            torch.cat([attn.query.weight, attn.key.weight, attn.value.weight])
        )
        ref_sdpa.in_proj_bias.copy_(
            torch.cat([attn.query.bias, attn.key.bias, attn.value.bias])
        )
        ref_sdpa.out_proj.weight.copy_(attn.out.weight)
        ref_sdpa.out_proj.bias.copy_(attn.out.bias)
        ref2 = ref_sdpa(x, x, x, key_padding_mask=~mask, need_weights=False)[0]
    torch.testing.assert_close(out[mask], ref2[mask], atol=1e-5, rtol=1e-5)


def test_probsparse_lazy_queries_get_mean_of_values():
    # factor 1, L = 60: u = ceil(ln 60) = 5 active queries; the other 55 output
    # out(mean(V)), and the active ones are those with the largest max-mean M
    torch.manual_seed(0)
    attn = ProbSparseAttention(8, 1, factor=1).eval()
    x = torch.randn(1, 60, 8)
    with torch.no_grad():
        out = attn(x)
        q, k, v = attn.query(x), attn.key(x), attn.value(x)
        scores = q @ k.transpose(-2, -1) / math.sqrt(8)
        measure = scores.max(-1).values - scores.mean(-1)
        active = set(measure[0].topk(5).indices.tolist())
        lazy_value = attn.out(v.mean(dim=1))[0]
        full = attn.out(torch.softmax(scores, -1) @ v)[0]
    assert attn._n_top(60) == 5
    for i in range(60):
        expected = full[i] if i in active else lazy_value
        torch.testing.assert_close(out[0, i], expected, atol=1e-5, rtol=1e-5)


def test_probsparse_training_samples_only_valid_keys():
    # training-mode sampling must never use padded keys: huge garbage in padded
    # positions of a masked batch leaves valid outputs equal to the unpadded run
    torch.manual_seed(0)
    attn = ProbSparseAttention(8, 2, factor=100).train()
    x = torch.randn(1, 10, 8)
    padded = torch.cat([x, torch.full((1, 5, 8), 1e4)], dim=1)
    mask = torch.arange(15)[None] < 10
    with torch.no_grad():
        torch.testing.assert_close(
            attn(padded, mask)[:, :10], attn(x), atol=1e-4, rtol=1e-4
        )


def test_distilling_halves_length():
    layer = DistillingLayer(4).eval()
    for n in [9, 10, 264]:
        assert layer(torch.randn(2, n, 4)).shape == (2, math.ceil(n / 2), 4)


@pytest.mark.parametrize("n_steps", [10, 20, 264])
def test_informer_output_shape(n_steps):
    net = InformerNet(1, n_steps, d_model=8, n_heads=2)
    assert net(torch.randn(3, 1, n_steps)).shape == (3, 1)
    with pytest.raises(ValueError, match="divisible"):
        InformerNet(1, n_steps, d_model=10, n_heads=4)


def test_transformer_defaults_are_the_original_configuration():
    net = TransformerNet(2, 264)
    layers = net.encoder.layers
    assert len(layers) == 6
    assert layers[0].self_attn.num_heads == 4
    assert layers[0].self_attn.embed_dim // 4 == 16  # key size
    assert layers[0].linear1.out_features == 128 and layers[0].norm_first
    sizes = [m.out_features for m in net.head if isinstance(m, torch.nn.Linear)]
    assert sizes == [128, 64, 1]


@pytest.mark.parametrize(
    "make",
    [
        lambda: TransformerRegressor(
            d_model=8, n_heads=2, n_layers=1, max_epochs=2, random_state=0
        ),
        lambda: InformerRegressor(
            d_model=8, n_heads=2, n_layers=2, max_epochs=2, random_state=0
        ),
    ],
    ids=["transformer", "informer"],
)
def test_estimator_nan_padded_rows_equal_short_series(make):
    # a NaN-padded row is predicted as the network sees the short series alone
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2, 24))
    y = X[:, 1].mean(axis=1)
    reg = make().fit(X, y)
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
