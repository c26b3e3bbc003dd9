"""Seed parsing for KBound: arrays of centroids, {centroid: members} dicts, y.

Returns the initial centroids and a per-row array of pinned cluster indices
(-1 for free rows). Private module.
"""

import numbers
import warnings

import numpy as np
from sklearn.neighbors import KDTree


def resolve_seeds(seeds, y, n_clusters, X, metric, rng, seed_tolerance):
    """Initial centroids, pinned labels and the y class of each cluster.

    Returns
    -------
    centers : ndarray of shape (k, n_features)
    pinned : ndarray of shape (n_samples,), int, -1 where the row is free
    seed_classes : ndarray of shape (k,) or None
        For ``y`` seeds, the y value of each cluster (-1 for completed ones).
    """
    n, d = X.shape
    pinned = np.full(n, -1, dtype=np.intp)
    seed_classes = None
    if n_clusters is not None and not (
        isinstance(n_clusters, numbers.Integral) and n_clusters >= 1
    ):
        raise ValueError(
            f"n_clusters must be a positive int or None; got {n_clusters!r}."
        )

    has_y = y is not None and np.any(y != -1)
    if has_y and seeds is not None:
        raise ValueError(
            "Give known members either through `seeds` or through `y`, not both."
        )
    if has_y:
        classes = np.unique(y[y != -1])
        if n_clusters is not None and n_clusters < classes.size:
            warnings.warn(
                f"y has {classes.size} labelled classes, more than n_clusters="
                f"{n_clusters}: every labelled class gets its own cluster, so "
                f"{classes.size} clusters are fitted.",
                UserWarning,
                stacklevel=3,
            )
            n_clusters = classes.size
        pinned = np.searchsorted(classes, y).astype(np.intp)
        pinned[y == -1] = -1
        centers = np.vstack([X[pinned == j].mean(axis=0) for j in range(classes.size)])
        k = classes.size if n_clusters is None else n_clusters
        seed_classes = np.concatenate([classes, np.full(k - classes.size, -1)])
    elif isinstance(seeds, dict):
        centers, pinned = _dict_seeds(seeds, X, seed_tolerance)
        k = centers.shape[0] if n_clusters is None else n_clusters
        if k < centers.shape[0]:
            raise ValueError(
                f"seeds has {centers.shape[0]} clusters but n_clusters={n_clusters}."
            )
    elif seeds is None:
        centers = np.empty((0, d))
        k = 8 if n_clusters is None else n_clusters
    else:
        try:
            centers = np.asarray(seeds, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                "seeds must be None, an array-like of centroids or a dict "
                f"{{centroid: [members]}}; got {type(seeds).__name__}."
            ) from None
        centers = np.atleast_2d(centers)
        if centers.ndim != 2 or centers.shape[1] != d:
            raise ValueError(
                f"seeds must have shape (n_seeds, {d}); got {np.shape(seeds)}."
            )
        k = centers.shape[0] if n_clusters is None else n_clusters
        if centers.shape[0] > k:
            centers = farthest_point_subset(centers, k, metric)
    if k > n:
        raise ValueError(f"n_clusters={k} must not exceed n_samples={n}.")
    if not np.all(np.isfinite(centers)):
        raise ValueError("seeds contain NaN or infinite values.")
    if centers.shape[0] < k:
        centers = d2_complete(X, centers, k, metric, rng)
    return centers, pinned, seed_classes


def _dict_seeds(seeds, X, tol):
    n, d = X.shape
    if not seeds:
        raise ValueError("seeds is an empty dict.")
    centers = np.asarray([np.asarray(c, dtype=float) for c in seeds], dtype=float)
    if centers.ndim != 2 or centers.shape[1] != d:
        raise ValueError(
            f"the keys of the seeds dict must be centroids of length {d}; got "
            f"shape {centers.shape}."
        )
    pinned = np.full(n, -1, dtype=np.intp)
    tree = None
    n_missing = 0
    for j, members in enumerate(seeds.values()):
        members = [] if members is None else list(members)
        rows = []
        coords = []
        for m in members:
            if isinstance(m, numbers.Integral):
                if not 0 <= m < n:
                    raise ValueError(
                        f"seed member index {m} of cluster {j} is outside 0..{n - 1}."
                    )
                rows.append(int(m))
            else:
                coords.append(np.asarray(m, dtype=float))
        if coords:
            coords = np.asarray(coords)
            if coords.ndim != 2 or coords.shape[1] != d:
                raise ValueError(
                    f"seed members of cluster {j} must be row indices or points of "
                    f"length {d}."
                )
            if tree is None:
                tree = KDTree(X)
            dist, idx = tree.query(coords, k=1)
            found = dist[:, 0] <= tol
            n_missing += int((~found).sum())
            rows.extend(idx[found, 0].tolist())
        rows = np.asarray(rows, dtype=np.intp)
        clash = rows[(pinned[rows] != -1) & (pinned[rows] != j)]
        if clash.size:
            raise ValueError(
                f"row {clash[0]} is a seed member of clusters {pinned[clash[0]]} "
                f"and {j}."
            )
        pinned[rows] = j
    if n_missing:
        warnings.warn(
            f"{n_missing} seed member(s) matched no row of X within "
            f"seed_tolerance={tol}; they are ignored.",
            UserWarning,
            stacklevel=4,
        )
    return centers, pinned


def farthest_point_subset(points, k, metric):
    """Greedy max-min subset of ``k`` rows, starting from the first row.

    Each step adds the point whose distance (in ``metric``) to the points chosen
    so far is largest (Gonzalez 1985), a 2-approximation of the k-centre cover.
    """
    chosen = [0]
    dmin = metric.pairwise(points, points[:1])[:, 0]
    for _ in range(1, k):
        nxt = int(np.argmax(dmin))
        chosen.append(nxt)
        dmin = np.minimum(dmin, metric.pairwise(points, points[nxt : nxt + 1])[:, 0])
    return points[chosen]


def d2_complete(X, centers, k, metric, rng):
    """Add rows of X as centroids by D^2 sampling (k-means++) until there are k.

    The first centroid, when none is given, is a uniformly random row.
    """
    centers = list(centers)
    if not centers:
        centers.append(X[rng.randint(X.shape[0])])
    dmin = metric.pairwise(X, np.asarray(centers)).min(axis=1) ** 2
    while len(centers) < k:
        total = dmin.sum()
        if total > 0 and np.isfinite(total):
            idx = int(np.searchsorted(np.cumsum(dmin), rng.uniform(0, total)))
            idx = min(idx, X.shape[0] - 1)
        else:  # all rows sit on centroids already
            idx = int(rng.randint(X.shape[0]))
        centers.append(X[idx])
        dmin = np.minimum(dmin, metric.pairwise(X, X[idx : idx + 1])[:, 0] ** 2)
    return np.asarray(centers, dtype=float)
