"""Exact explanations of KBound decisions (decision path, feature attribution).

Private module; the public entry points are ``KBound.decision_path`` and
``KBound.feature_attribution``.
"""

import numpy as np
from sklearn.utils import Bunch


def _two_nearest(D):
    n, k = D.shape
    order = np.argsort(D, axis=1, kind="stable")
    nearest = order[:, 0]
    rows = np.arange(n)
    if k > 1:
        runner = order[:, 1]
        d_runner = D[rows, runner]
    else:
        runner = np.full(n, -1)
        d_runner = np.full(n, np.inf)
    return nearest, D[rows, nearest], runner, d_runner


def decision_path(model, X):
    """Replay the KBound gates on ``X`` (see ``KBound.decision_path``)."""
    n = X.shape[0]
    density = model._density_of(X)
    density_ok = model._density_ok(density)
    labels, D = model._gate(X, model.cluster_centers_, density_ok)
    nearest, d_near, runner, d_runner = _two_nearest(D)
    if density is None:
        density = np.full(n, np.nan)
        density_margin = np.full(n, np.nan)
    elif model.density_gate == "floor":
        density_margin = density - model.density_threshold
    else:
        density_margin = model.density_threshold - density
    if model.distance_threshold is None:
        distance_margin = np.full(n, np.nan)
    else:
        distance_margin = model.distance_threshold - d_near
    gate = np.full(n, "assigned", dtype=object)
    gate[distance_margin < 0] = "distance"
    gate[density_margin < 0] = "density"  # checked first, as in the fit
    return Bunch(
        label=labels,
        gate=gate,
        nearest=nearest,
        distance=d_near,
        runner_up=runner,
        runner_up_distance=d_runner,
        assignment_margin=d_runner - d_near,
        density=density,
        density_margin=density_margin,
        distance_margin=distance_margin,
    )


def _split(model, delta):
    """Per-feature terms of the squared distance of the rows of ``delta``.

    Euclidean: delta_j**2. Mahalanobis: delta_j * (VI delta)_j, whose sum is
    delta^T VI delta exactly (terms can be negative when features correlate).
    """
    if model.VI_ is None:
        return delta**2
    return delta * (delta @ model.VI_)


def feature_attribution(model, X, feature_names=None):
    """Exact split of squared distances per feature (see ``KBound``)."""
    if model._metric_.func is not None:
        raise ValueError(
            "feature_attribution needs metric='euclidean' or 'mahalanobis'; a "
            "callable metric has no per-feature decomposition."
        )
    if feature_names is not None and len(feature_names) != X.shape[1]:
        raise ValueError(
            f"feature_names has {len(feature_names)} names for {X.shape[1]} features."
        )
    C = model.cluster_centers_
    D = model._metric_.pairwise(X, C)
    nearest, _, runner, _ = _two_nearest(D)
    contrib = _split(model, X - C[nearest])
    if C.shape[0] > 1:
        discrim = _split(model, X - C[runner]) - contrib
    else:
        discrim = np.zeros_like(contrib)
    return Bunch(
        contributions=contrib,
        discriminative=discrim,
        nearest=nearest,
        runner_up=runner,
        squared_distance=contrib.sum(axis=1),
        feature_names=None if feature_names is None else list(feature_names),
    )
