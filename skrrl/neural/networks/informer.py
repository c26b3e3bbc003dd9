"""Informer encoder (Zhou et al. 2021): ProbSparse self-attention and distilling."""

import math

import torch
from torch import nn

from skrrl.neural.networks._masking import lengths_to_mask, masked_mean, zero_padding
from skrrl.neural.networks.transformer import sinusoidal_encoding


class ProbSparseAttention(nn.Module):
    """Multi-head ProbSparse self-attention (Zhou et al. 2021, Sec. 3.1).

    Only the ``u = factor * ceil(ln L)`` queries with the largest max-mean
    measurement ``M(q, K) = max_j(q k_j / sqrt(d)) - mean_j(q k_j / sqrt(d))``
    (their Eq. 4) attend to the keys; the other ("lazy") queries output the mean of
    the values. During training ``M`` is estimated, as in the paper, on
    ``factor * ceil(ln L)`` keys drawn at random for each query; in evaluation mode
    it is computed on all keys, so predictions are deterministic. Padded keys
    (``mask`` False) are never sampled, attended to or averaged.

    Parameters
    ----------
    d_model : int
        Model width.
    n_heads : int
        Attention heads (``d_model`` must be divisible by it).
    factor : float, default=5
        Sampling factor ``c``; ``u`` is capped at the sequence length, where the
        layer equals full softmax attention.
    dropout : float, default=0.0
        Dropout on the attention weights.

    Examples
    --------
    >>> import torch
    >>> attn = ProbSparseAttention(8, 2)
    >>> attn(torch.randn(3, 40, 8)).shape
    torch.Size([3, 40, 8])
    """

    def __init__(self, d_model, n_heads, factor=5, dropout=0.0):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(
                f"d_model={d_model} must be divisible by n_heads={n_heads}"
            )
        self.n_heads = n_heads
        self.factor = factor
        self.query = nn.Linear(d_model, d_model)
        self.key = nn.Linear(d_model, d_model)
        self.value = nn.Linear(d_model, d_model)
        self.out = nn.Linear(d_model, d_model)
        self.dropout = nn.Dropout(dropout)

    def _n_top(self, n_steps):
        return min(n_steps, int(self.factor * math.ceil(math.log(max(n_steps, 2)))))

    def _n_top_per_series(self, valid):
        """``u`` of each series from its valid length (so padding changes nothing)."""
        log_len = torch.ceil(torch.log(valid.clamp_min(2).to(torch.float64)))
        return torch.minimum(valid, (self.factor * log_len).long())

    def _measurement(self, scores, mask):
        """Max-mean measurement of every query, shape (batch, heads, L)."""
        batch, _, n_steps, _ = scores.shape
        n_sample = self._n_top(n_steps)
        valid = (
            torch.full((batch,), n_steps, device=scores.device)
            if mask is None
            else mask.sum(dim=1)
        )
        if self.training and n_sample < n_steps:
            # keys drawn uniformly among each series' valid ones, per query
            u = torch.rand(batch, 1, n_steps, n_sample, device=scores.device)
            idx = (u * valid[:, None, None, None]).long().clamp_max(n_steps - 1)
            sampled = torch.gather(scores, 3, idx.expand(-1, scores.shape[1], -1, -1))
            return sampled.max(dim=-1).values - sampled.mean(dim=-1)
        if mask is None:
            return scores.max(dim=-1).values - scores.mean(dim=-1)
        key_mask = mask[:, None, None, :]
        top = scores.masked_fill(~key_mask, float("-inf")).max(dim=-1).values
        return top - (scores * key_mask).sum(-1) / valid[:, None, None]

    def forward(self, x, mask=None):
        """Self-attention over ``x`` of shape ``(batch, time, d_model)``.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, time, d_model)
            Input sequence.
        mask : torch.Tensor of shape (batch, time) or None
            Valid timepoints (keys and queries).

        Returns
        -------
        torch.Tensor of shape (batch, time, d_model)
        """
        batch, n_steps, d_model = x.shape
        heads, d_head = self.n_heads, d_model // self.n_heads

        def split(t):
            return t.view(batch, n_steps, heads, d_head).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        # at light-curve lengths (a few hundred) one dense score matrix is cheaper
        # than gathering sampled keys per query; the sparsity that shapes the
        # output (which queries attend) is kept exactly
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(d_head)
        measure = self._measurement(scores, mask)
        if mask is not None:
            # padded queries are never among the active ones (unless too few valid)
            measure = measure.masked_fill(~mask[:, None, :], float("-inf"))
        top = measure.topk(self._n_top(n_steps), dim=-1).indices  # (B, H, u_max)

        # lazy queries: the mean of the (valid) values
        if mask is None:
            context = v.mean(dim=2, keepdim=True).expand(-1, -1, n_steps, -1)
        else:
            m = mask[:, None, :, None].to(v.dtype)
            context = ((v * m).sum(2, keepdim=True) / m.sum(2, keepdim=True)).expand(
                -1, -1, n_steps, -1
            )
        context = context.clone()
        scores = torch.gather(scores, 2, top[..., None].expand(-1, -1, -1, n_steps))
        if mask is not None:
            scores = scores.masked_fill(~mask[:, None, None, :], float("-inf"))
        attn = self.dropout(torch.softmax(scores, dim=-1))
        active = attn @ v
        if mask is not None:
            # a series of valid length l has its own u(l) <= u_max active queries;
            # topk is sorted, so the first u(l) of each row are those
            n_active = self._n_top_per_series(mask.sum(dim=1))
            keep = torch.arange(top.shape[-1], device=x.device) < n_active[:, None]
            lazy = torch.gather(context, 2, top[..., None].expand(-1, -1, -1, d_head))
            active = torch.where(keep[:, None, :, None], active, lazy)
        context.scatter_(2, top[..., None].expand(-1, -1, -1, d_head), active)
        return self.out(context.transpose(1, 2).reshape(batch, n_steps, d_model))


class InformerEncoderLayer(nn.Module):
    """ProbSparse attention and a GELU feed-forward, each residual with post-LN."""

    def __init__(self, d_model, n_heads, d_ff, factor, dropout):
        super().__init__()
        self.attention = ProbSparseAttention(d_model, n_heads, factor, dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(
            nn.Linear(d_model, d_ff),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(d_ff, d_model),
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, x, mask=None):
        """Map ``(batch, time, d_model)`` to the same shape."""
        x = self.norm1(x + self.dropout(self.attention(x, mask)))
        return self.norm2(x + self.dropout(self.ff(x)))


class DistillingLayer(nn.Module):
    """Self-attention distilling: Conv1d(3) + BatchNorm + ELU + MaxPool(3, stride 2).

    Halves the length: ``L -> ceil(L / 2)`` (Zhou et al. 2021, Eq. 5).
    """

    def __init__(self, d_model):
        super().__init__()
        self.conv = nn.Conv1d(d_model, d_model, 3, padding=1)
        self.norm = nn.BatchNorm1d(d_model)
        self.pool = nn.MaxPool1d(3, stride=2, padding=1)

    def forward(self, x, mask=None):
        """Map ``(batch, time, d_model)`` to ``(batch, ceil(time / 2), d_model)``."""
        # zero padding at the end of a short series mimics the convolution's own
        # zero padding at the series edge; -inf before max-pooling likewise
        h = torch.nn.functional.elu(
            self.norm(self.conv(zero_padding(x, mask, channels_last=True).mT))
        )
        if mask is not None:
            h = h.masked_fill(~mask[:, None, :], float("-inf"))
        return self.pool(h).mT


class InformerNet(nn.Module):
    """Informer encoder for regression: ProbSparse attention, distilling, pooling.

    Parameters
    ----------
    n_channels : int
        Input channels.
    n_timepoints : int
        Input length (unused; any length works).
    d_model : int, default=64
        Model width (512 in Zhou et al. 2021).
    n_heads : int, default=4
        Attention heads (8 in the paper).
    n_layers : int, default=3
        Encoder layers, with a distilling layer between consecutive ones, so the
        length is halved ``n_layers - 1`` times (the paper's encoder has 2 or 3).
    d_ff : int, default=128
        Feed-forward width (2048 in the paper).
    factor : float, default=5
        ProbSparse sampling factor ``c`` (5 in the paper).
    dropout : float, default=0.05
        Dropout (0.05 in the paper).
    distil : bool, default=True
        Use the distilling layers.

    Notes
    -----
    Departures from the forecasting model of Zhou et al. (2021), for light curves
    of a few hundred points: the token embedding is a per-timepoint linear
    projection (not a circular convolution, which would wrap the padding around),
    plus the sinusoidal positional encoding; there are no calendar embeddings and
    no decoder; the output is an average over the valid timepoints of the final
    sequence and a linear layer. Padded timepoints are excluded from sampling,
    attention and pooling; after a distilling layer a valid length ``l`` becomes
    ``ceil(l / 2)``, so in evaluation mode the output does not depend on padding.

    References
    ----------
    .. [1] H. Zhou et al., "Informer: Beyond efficient Transformer for long sequence
       time-series forecasting", AAAI 35, 11106 (2021).

    Examples
    --------
    >>> import torch
    >>> net = InformerNet(2, 40, d_model=8, n_heads=2, n_layers=2).eval()
    >>> net(torch.randn(3, 2, 40), torch.tensor([40, 21, 7])).shape
    torch.Size([3, 1])
    """

    def __init__(
        self,
        n_channels,
        n_timepoints,
        *,
        d_model=64,
        n_heads=4,
        n_layers=3,
        d_ff=128,
        factor=5,
        dropout=0.05,
        distil=True,
    ):
        super().__init__()
        self.register_buffer(
            "pe", sinusoidal_encoding(n_timepoints, d_model), persistent=False
        )
        self.embedding = nn.Linear(n_channels, d_model)
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(
            InformerEncoderLayer(d_model, n_heads, d_ff, factor, dropout)
            for _ in range(n_layers)
        )
        self.distilling = nn.ModuleList(
            DistillingLayer(d_model) for _ in range(n_layers - 1 if distil else 0)
        )
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, 1)

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
        n_steps = x.shape[-1]
        mask = lengths_to_mask(lengths, n_steps)
        h = self.embedding(zero_padding(x.mT, mask, channels_last=True))
        pe = self.pe
        if n_steps > pe.shape[0]:
            pe = sinusoidal_encoding(n_steps, pe.shape[1]).to(x.device)
        h = h + pe[:n_steps]
        h = self.dropout(h)
        for i, layer in enumerate(self.layers):
            mask = lengths_to_mask(lengths, h.shape[1])
            h = layer(h, mask)
            if i < len(self.distilling):
                h = self.distilling[i](h, mask)
                if lengths is not None:
                    lengths = (lengths + 1) // 2  # MaxPool1d(3, 2, padding=1)
                    # padded steps may hold -inf from the pooling: clear them
                    h = zero_padding(
                        h, lengths_to_mask(lengths, h.shape[1]), channels_last=True
                    )
        mask = lengths_to_mask(lengths, h.shape[1])
        return self.head(masked_mean(self.norm(h).mT, mask))
