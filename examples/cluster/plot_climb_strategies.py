"""
=====================================================
Exploratory strategies for phase 2
=====================================================

Phase 2 of :class:`skrrl.cluster.CLiMB` accepts a string alias (``"dbscan"``,
``"hdbscan"``, ``"optics"``) or any unfitted clusterer. Here one known group is
seeded and two unknown ones must be found by each strategy; new stars are then
assigned with :meth:`~skrrl.cluster.CLiMB.predict`.
"""

# %%
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import DBSCAN

from skrrl.cluster import CLiMB

rng = np.random.RandomState(0)
X = np.vstack(
    [
        rng.normal(0, 0.15, (80, 2)),
        rng.normal(0, 0.15, (60, 2)) + [2.0, 2.0],
        rng.normal(0, 0.15, (60, 2)) + [-2.0, 2.0],
        rng.uniform(-3, 3, (40, 2)),
    ]
)
new_stars = np.array([[0.1, 0.0], [2.0, 2.1], [-2.1, 2.0], [2.8, -2.8]])

# %%
strategies = ["dbscan", "hdbscan", "optics", DBSCAN(eps=0.25, min_samples=8)]
fig, axes = plt.subplots(1, 4, figsize=(16, 4), sharex=True, sharey=True)
for ax, strategy in zip(axes, strategies):
    model = CLiMB(seeds=[[0.0, 0.0]], distance_threshold=0.6, exploratory=strategy)
    labels = model.fit_predict(X)
    ax.scatter(X[:, 0], X[:, 1], c=labels, cmap="tab10", s=8)
    ax.scatter(new_stars[:, 0], new_stars[:, 1], marker="*", c="k", s=120)
    ax.set_title(f"{strategy}: predict -> {model.predict(new_stars).tolist()}")
fig.tight_layout()
