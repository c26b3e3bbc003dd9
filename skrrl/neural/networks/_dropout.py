"""Dropout whose mask costs one random draw per four elements.

``nn.Dropout`` on the CPU draws one Bernoulli variate per element; on the
sequence outputs of a recurrent stack (256 series x 264 steps x 20 units) that
is the most expensive operation of a forward pass. :class:`FastDropout` cuts
each 64-bit draw of the generator into four 16-bit integers and keeps an
element when its integer is at or above a threshold: the drop probability is
``p`` rounded up to a multiple of ``2**-16`` (0.2 -> 0.200012), and kept
elements are scaled by the inverse of the exact keep probability, so the
output is unbiased.
"""

import math

import torch
from torch import nn

_LEVELS = 1 << 16


class FastDropout(nn.Module):
    """Inverted dropout with a mask drawn 16 bits per element.

    Parameters
    ----------
    p : float, default=0.5
        Probability of zeroing an element, in ``[0, 1)``; rounded up to a
        multiple of ``2**-16``.

    Examples
    --------
    >>> import torch
    >>> drop = FastDropout(0.25).eval()
    >>> bool((drop(torch.ones(4)) == 1).all())
    True
    """

    def __init__(self, p=0.5):
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"dropout probability must be in [0, 1); got {p!r}.")
        self.p = float(p)
        # elements whose uniform 16-bit integer falls below the threshold drop
        dropped = math.ceil(self.p * _LEVELS)  # of the 2**16 levels
        self._threshold = -(_LEVELS // 2) + dropped
        self._scale = _LEVELS / (_LEVELS - dropped)

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        n = x.numel()
        # the full 64-bit range, so that all four 16-bit words are uniform
        draws = torch.randint(
            -(1 << 63),
            (1 << 63) - 1,
            ((n + 3) // 4,),
            dtype=torch.int64,
            device=x.device,
        )
        bits = draws.view(torch.int16)[:n].view(x.shape)
        mask = (bits >= self._threshold).to(x.dtype).mul_(self._scale)
        return x * mask

    def extra_repr(self):
        return f"p={self.p}"
