"""
=====================================================
Known and new halo substructures with CLiMB
=====================================================

A synthetic integrals-of-motion sample (:func:`skrrl.datasets.make_halo_iom`)
holds seven substructures on a smooth halo. We pretend that four of them are
known (their centroids and a few members are the seeds), let phase 1 grow them,
and let phase 2 (DBSCAN) look for the others among the stars phase 1 left out.
"""

# %%
# Data: standardise the integrals of motion
# -----------------------------------------
import matplotlib

matplotlib.use("Agg")

import numpy as np
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from skrrl.cluster import CLiMB, hopkins, plot_climb_2d
from skrrl.datasets import make_halo_iom

X_raw, truth, names = make_halo_iom(3000, halo_fraction=0.3, random_state=0)
scaler = StandardScaler().fit(X_raw)
X = scaler.transform(X_raw)
print(f"Hopkins statistic: {hopkins(X, random_state=0):.2f} (0.5 = random)")

# %%
# Seeds: centroids of the known structures plus 20 % of their members
# ---------------------------------------------------------------------
rng = np.random.RandomState(0)
known = [names.index(n) for n in ("disc", "GSE", "Sequoia", "Helmi")]
seeds = {}
for label in known:
    rows = np.flatnonzero(truth == label)
    members = rng.choice(rows, size=len(rows) // 5, replace=False)
    seeds[tuple(X[rows].mean(axis=0))] = members.tolist()

# %%
# Fit: Mahalanobis phase 1 with gates, DBSCAN phase 2
# ---------------------------------------------------
model = CLiMB(
    seeds=seeds,
    metric="mahalanobis",
    density_threshold=0.2,  # the sparsest 20 % go to phase 2
    distance_threshold=1.5,
    radial_threshold=0.3,
    exploratory_params={"eps": 0.4, "min_samples": 10},
    random_state=0,
).fit(X)
in_known = np.isin(truth, known)
print(
    "ARI of phase 1 on the known structures:",
    round(adjusted_rand_score(truth[in_known], model.phase1_labels_[in_known]), 3),
)
print(
    "labels: phase 1 ->",
    model.label_origin_[model.label_origin_[:, 0] == 1, 1],
    "| phase-2 clusters:",
    int((model.label_origin_[:, 0] == 2).sum()),
)

# %%
# Plot in original units (the model is not modified)
# --------------------------------------------------
plot_climb_2d(
    model,
    X,
    dims=(1, 0),
    transformer=scaler,
    axis_labels=["E", "Lz", "Lperp", "Jr", "Jz"],
)

# %%
# Why did phase 1 reject a star? Which feature pulled it in?
# ------------------------------------------------------------
path = model.kbound_.decision_path(X)
gates, counts = np.unique(path.gate, return_counts=True)
print(dict(zip(gates, counts)))
att = model.kbound_.feature_attribution(
    X, feature_names=["E", "Lz", "Lperp", "Jr", "Jz"]
)
star = int(np.flatnonzero(model.phase1_labels_ >= 0)[0])
print(
    "squared Mahalanobis distance split per feature:",
    np.round(att.contributions[star], 3),
    "sum",
    round(att.squared_distance[star], 3),
    "=",
    round(path.distance[star] ** 2, 3),
)
