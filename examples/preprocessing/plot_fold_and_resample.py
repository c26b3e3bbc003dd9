"""
=====================================================
Fold and resample Gaia-like RR Lyrae light curves
=====================================================

Gaia observes an RR Lyrae star a few dozen times over three years, at irregular
times. Before a neural network can read such a light curve, skrrl

1. folds it on its period (:class:`~skrrl.preprocessing.PhaseFolder`), so that
   phase 0 is maximum light, and
2. smooths it with a smoothing spline whose roughness penalty is chosen by
   generalised cross-validation, and evaluates it on a fixed phase grid
   (:class:`~skrrl.preprocessing.SplineResampler`).

The simulated stars below have a known noiseless light curve, so we can see how
close the resampled curve comes to the truth.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skrrl.datasets import make_rrlyrae, rrlyrae_magnitudes
from skrrl.plotting import plot_light_curves
from skrrl.preprocessing import PhaseFolder, SplineResampler

frame, feh, truth = make_rrlyrae(6, kind="ab", random_state=3)
frame[["period", "epoch"]].head()

# %%
# Fold on the catalogue period and epoch of maximum light, then resample every
# curve on 100 phases. The output is a numpy3D array ``(n_stars, 2, 100)``: phase
# times period, and magnitude minus the mean magnitude.
folded = PhaseFolder().fit_transform(frame)
resampler = SplineResampler(n_points=100)
X = resampler.fit_transform(folded)
print(X.shape)

# %%
fig = plot_light_curves(folded, X, n_stars=6)

# %%
# Compare with the truth: the noiseless model light curve on the same grid,
# centred like the resampled channel.
grid = np.linspace(0, 1, 100, endpoint=False)
true_mag = rrlyrae_magnitudes(truth, grid)
true_mag -= true_mag.mean(axis=1, keepdims=True)
rms = np.sqrt(np.mean((X[:, 1] - true_mag) ** 2, axis=1))
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(grid, true_mag[0], "k-", label="truth")
ax.plot(grid, X[0, 1], "C1--", label=f"resampled (rms {1000 * rms[0]:.1f} mmag)")
ax.plot(
    folded["phase"].iloc[0],
    folded["mag"].iloc[0] - folded["mag"].iloc[0].mean(),
    "C0.",
    label="Gaia-like epochs",
)
ax.invert_yaxis()
ax.set_xlabel("phase")
ax.set_ylabel("G - <G> (mag)")
ax.legend(fontsize=8)
print("rms of resampled minus true curve (mmag):", np.round(1000 * rms, 1))

# %%
# Sparse curves: a learned shape prior
# ------------------------------------
# With 12-20 epochs the spline has little to go on. ``ShapePriorResampler``
# learns, from a whole sample of curves, which Fourier shapes RR Lyrae stars
# have (a Gaussian prior on the coefficients, with the noise deconvolved), and
# returns each star's posterior-mean curve. Here it learns from 2,000 simulated
# stars; we look at the sparsest ones.
from skrrl.preprocessing import ShapePriorResampler  # noqa: E402

sample, _, sample_truth = make_rrlyrae(2000, kind="ab", random_state=4)
folded = PhaseFolder().fit_transform(sample)
grid = np.linspace(0, 1, 100, endpoint=False)
true_mag = rrlyrae_magnitudes(sample_truth, grid)
true_mag -= true_mag.mean(axis=1, keepdims=True)
curves = {
    "spline": SplineResampler(n_points=100).fit_transform(folded)[:, 1],
    "shape prior": ShapePriorResampler(n_points=100).fit_transform(folded)[:, 1],
}
sparse = np.argsort(sample_truth["n_epochs"].to_numpy())[:3]
fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), sharey=True)
for ax, i in zip(axes, sparse):
    mag = folded["mag"].iloc[i]
    ax.plot(grid, true_mag[i], "k-", label="truth")
    for (name, curve), style in zip(curves.items(), ("C1--", "C2-")):
        ax.plot(grid, curve[i], style, label=name)
    centre = sample_truth["mean_mag"].iloc[i]  # the true curve's mean (A0)
    ax.plot(folded["phase"].iloc[i], mag - centre, "C0.", label="epochs")
    ax.set_title(f"{len(mag)} epochs", fontsize=9)
    ax.set_xlabel("phase")
axes[0].invert_yaxis()
axes[0].set_ylabel("G - <G> (mag)")
axes[0].legend(fontsize=7)
fig.tight_layout()
for name, curve in curves.items():
    rms = np.sqrt(np.mean((curve - true_mag) ** 2))
    print(f"{name:>12}: rms about the truth, all 2,000 stars {1000 * rms:.1f} mmag")
