"""Phase-2 (exploratory) strategies of CLiMB: aliases, fitting, prediction.

A strategy is any unfitted scikit-learn style clusterer (``fit`` plus
``labels_``). The string aliases build:

* ``"dbscan"``: ``sklearn.cluster.DBSCAN`` (eps=0.5, min_samples=5);
* ``"hdbscan"``: ``hdbscan.HDBSCAN`` (min_cluster_size=5) with
  ``prediction_data=True``, so new rows go through ``approximate_predict``;
* ``"optics"``: ``sklearn.cluster.OPTICS`` (min_samples=5).
"""

import numpy as np
from sklearn.base import clone
from sklearn.cluster import DBSCAN, OPTICS
from sklearn.neighbors import NearestNeighbors

ALIASES = ("dbscan", "hdbscan", "optics")


def _is_hdbscan_package(est):
    return type(est).__module__.split(".")[0] == "hdbscan"


def make_strategy(exploratory, params):
    """Unfitted clusterer for ``exploratory`` (alias or estimator)."""
    params = dict(params or {})
    if isinstance(exploratory, str):
        if exploratory == "dbscan":
            est = DBSCAN(eps=0.5, min_samples=5)
        elif exploratory == "optics":
            est = OPTICS(min_samples=5)
        elif exploratory == "hdbscan":
            import hdbscan

            est = hdbscan.HDBSCAN(min_cluster_size=5)
        else:
            raise ValueError(
                f"exploratory must be one of {ALIASES} or an unfitted clusterer; "
                f"got {exploratory!r}."
            )
    elif hasattr(exploratory, "fit") and hasattr(exploratory, "get_params"):
        est = clone(exploratory)
    else:
        raise TypeError(
            "exploratory must be a string alias or a scikit-learn style clusterer "
            f"with fit/get_params; got {type(exploratory).__name__}."
        )
    if params:
        est.set_params(**params)
    if _is_hdbscan_package(est):
        est.set_params(prediction_data=True)
    return est


def fit_strategy(est, X):
    """Fit ``est`` on the phase-2 rows; returns its labels (-1 = noise)."""
    if X.shape[0] == 0:
        return np.empty(0, dtype=np.intp)
    min_rows = _min_rows(est)
    if X.shape[0] < min_rows:
        # too few rows for the strategy to form any cluster: all noise
        return np.full(X.shape[0], -1, dtype=np.intp)
    est.fit(X)
    labels = np.asarray(est.labels_, dtype=np.intp)
    # contiguous 0..m-1 for the clusters, whatever the strategy numbers them
    out = np.full(labels.shape, -1, dtype=np.intp)
    keep = labels >= 0
    out[keep] = np.unique(labels[keep], return_inverse=True)[1]
    return out


def _min_rows(est):
    params = est.get_params(deep=False)
    need = 1
    for name in ("min_samples", "min_cluster_size"):
        value = params.get(name)
        if isinstance(value, int | np.integer):
            need = max(need, int(value))
    return max(need, 2)


def predict_strategy(est, X_train, train_labels, X):
    """Phase-2 labels of new rows ``X`` (contiguous numbering of ``fit_strategy``).

    Rules: hdbscan-package models use ``approximate_predict``; DBSCAN gives the
    label of the nearest core sample within ``eps``; OPTICS gives the label of
    the nearest clustered training row ``p`` when ``d(x, p) <= core_distances_[p]``
    (x falls inside p's core neighbourhood); other clusterers use their
    ``predict`` if they have one, else the label of the nearest phase-2
    training row. Rows outside every rule are noise (-1).
    """
    n = X.shape[0]
    out = np.full(n, -1, dtype=np.intp)
    if n == 0 or X_train.shape[0] == 0 or not hasattr(est, "labels_"):
        return out
    raw = np.asarray(est.labels_)
    # map the strategy's own label values to the contiguous ones
    lookup = {r: c for r, c in zip(raw.tolist(), train_labels.tolist()) if c >= 0}

    def remap(values):
        return np.array([lookup.get(v, -1) for v in np.asarray(values).tolist()])

    if _is_hdbscan_package(est):
        import hdbscan

        return remap(hdbscan.approximate_predict(est, X)[0]).astype(np.intp)
    if isinstance(est, DBSCAN):
        core = est.core_sample_indices_
        if core.size == 0:
            return out
        nn = NearestNeighbors(n_neighbors=1, metric=est.metric, p=est.p).fit(
            X_train[core]
        )
        dist, idx = nn.kneighbors(X)
        hit = dist[:, 0] <= est.eps
        out[hit] = train_labels[core[idx[hit, 0]]]
        return out
    if isinstance(est, OPTICS):
        clustered = np.flatnonzero(train_labels >= 0)
        if clustered.size == 0:
            return out
        nn = NearestNeighbors(n_neighbors=1, metric=est.metric, p=est.p).fit(
            X_train[clustered]
        )
        dist, idx = nn.kneighbors(X)
        near = clustered[idx[:, 0]]
        hit = dist[:, 0] <= est.core_distances_[near]
        out[hit] = train_labels[near[hit]]
        return out
    if hasattr(est, "predict"):
        return remap(est.predict(X)).astype(np.intp)
    nn = NearestNeighbors(n_neighbors=1).fit(X_train)
    return train_labels[nn.kneighbors(X, return_distance=False)[:, 0]]
