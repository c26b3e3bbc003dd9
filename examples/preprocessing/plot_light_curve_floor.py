"""
=================================================
How much [Fe/H] does a Gaia light curve hold?
=================================================

:func:`~skrrl.datasets.make_rrlyrae` gives every star an [Fe/H] that scatters by
``feh_scatter`` (here 0.2 dex) around the value its light-curve shape encodes, so
0.2 dex is the best RMSE any model could reach from *perfect* curves. Gaia curves
are not perfect: a few dozen noisy epochs blur the shape, and part of the [Fe/H]
information is gone before any model sees it.

:func:`~skrrl.datasets.rrlyrae_feh_posterior` measures how much, star by star:
the posterior of the encoded [Fe/H] given the noisy curve. Its spread, added in
quadrature to the injected scatter, is the light-curve noise floor. We compute it
two ways: giving the posterior every other simulation variable (``"exact"``, a
strict lower bound for any method), and marginalising the shape variables too
(``"laplace"``, what the curves allow).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from skrrl.datasets import make_rrlyrae, rrlyrae_feh_posterior

frame, feh, truth = make_rrlyrae(600, kind="ab", feh_scatter=0.2, random_state=0)
posteriors = {
    method: rrlyrae_feh_posterior(frame, truth, feh_scatter=0.2, method=method)
    for method in ("exact", "laplace")
}
for method, post in posteriors.items():
    floor = np.sqrt(0.2**2 + np.mean(post["std"] ** 2))
    print(f"{method:>8}: light-curve floor {floor:.3f} dex (injected scatter 0.200)")

# %%
# Where the information goes: the posterior spread of each star against its
# number of epochs and its mean G magnitude. Sparse curves lose the most; faint
# ones follow.
fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), sharey=True)
std = posteriors["laplace"]["std"]
for ax, column, label in zip(
    axes, ("n_epochs", "mean_mag"), ("number of G epochs", "mean G (mag)")
):
    ax.scatter(truth[column], std, s=6, alpha=0.5, c="C0")
    ax.set_xlabel(label)
axes[0].set_xscale("log")
axes[0].set_xticks(
    [12, 20, 30, 50, 100, 200], labels=["12", "20", "30", "50", "100", "200"]
)
axes[0].xaxis.set_minor_formatter(NullFormatter())
axes[0].set_ylabel("posterior std of [Fe/H] (dex)")
axes[0].set_yscale("log")
axes[0].set_yticks(
    [0.02, 0.05, 0.1, 0.2, 0.5], labels=["0.02", "0.05", "0.1", "0.2", "0.5"]
)
axes[0].yaxis.set_minor_formatter(NullFormatter())
fig.suptitle("Shape marginalised (Laplace): the information each curve holds")
fig.tight_layout()

# %%
# The posterior is calibrated: its errors, in units of its own spread, follow a
# standard normal. That is what makes the floor trustworthy.
mu = truth["feh_relation"].to_numpy()
fig, ax = plt.subplots(figsize=(5, 3.4))
bins = np.linspace(-4, 4, 33)
for method, post in posteriors.items():
    z = (post["mean"].to_numpy() - mu) / post["std"].to_numpy()
    ax.hist(z, bins=bins, density=True, histtype="step", label=method)
grid = np.linspace(-4, 4, 200)
ax.plot(grid, np.exp(-0.5 * grid**2) / np.sqrt(2 * np.pi), "k--", label="N(0, 1)")
ax.set_xlabel("(posterior mean - true value) / posterior std")
ax.legend()
fig.tight_layout()
