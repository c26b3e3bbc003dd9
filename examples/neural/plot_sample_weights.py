"""
=====================================================
Density sample weights for a skewed [Fe/H] sample
=====================================================

Halo RR Lyrae are mostly metal-poor; a regressor trained on them sees few
metal-rich stars and regresses to the mean. :class:`~skrrl.weighting.KDEWeighter`
up-weights rare targets by the inverse of a Gaussian kernel density estimate,
caps the weights in the sparse tails, optionally multiplies by 1/σ², and scales
them to [0.01, 1] (Dékány & Grebel 2022; Monti et al. 2024).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skrrl.datasets import make_rrlyrae
from skrrl.weighting import KDEWeighter

_, feh, _ = make_rrlyrae(2000, random_state=1)
feh_err = np.full_like(feh, 0.1)
weighter = KDEWeighter(density_threshold=0.5)
weights = weighter.fit_compute_weights(feh, y_err=feh_err)

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 3.5))
ax0.hist(feh, bins=40, color="0.6")
ax0.set_xlabel("[Fe/H]")
ax0.set_ylabel("stars")
order = np.argsort(feh)
ax1.plot(feh[order], weights[order], "C0-")
ax1.set_xlabel("[Fe/H]")
ax1.set_ylabel("sample weight")
ax1.set_title("inverse density, tails capped, scaled to [0.01, 1]", fontsize=9)
fig.tight_layout()
