"""Metrics and local densities shared by KBound and CLiMB (private).

Every distance is computed in chunks of rows, so no ``n x n`` (or large
``n x k x d``) array is ever held in memory.
"""

import numpy as np
from scipy.spatial import cKDTree
from scipy.spatial.distance import cdist
from sklearn.neighbors import KDTree

_CHUNK = 65536


class _Metric:
    """A fitted metric: ``"euclidean"``, ``"mahalanobis"`` or a callable.

    Mahalanobis distances are Euclidean distances after whitening by ``W`` with
    ``VI = W @ W.T`` (Cholesky factor, eigen-decomposition for a singular VI),
    so ``d(x, c)**2 = (x - c) @ VI @ (x - c)``.
    """

    def __init__(self, metric, metric_params, X):
        params = dict(metric_params or {})
        self.name = metric if isinstance(metric, str) else "callable"
        self.func = None
        self.vectorized = False
        self.W = None
        self.VI = None
        if metric == "euclidean":
            if params:
                raise ValueError(
                    f"metric_params must be empty for metric='euclidean'; got {params}."
                )
        elif metric == "mahalanobis":
            VI = params.pop("VI", None)
            if params:
                raise ValueError(
                    "metric_params for metric='mahalanobis' accepts only 'VI'; "
                    f"got {sorted(params)}."
                )
            if VI is None:
                VI = _inverse_covariance(X)
            VI = np.asarray(VI, dtype=float)
            d = X.shape[1]
            if VI.shape != (d, d) or not np.allclose(VI, VI.T):
                raise ValueError(
                    f"metric_params['VI'] must be a symmetric ({d}, {d}) matrix; "
                    f"got shape {VI.shape}."
                )
            self.VI = VI
            self.W = _sqrt_psd(VI)
        elif callable(metric):
            self.func = metric
            self.params = params
            self.vectorized = _is_vectorized(metric, params, X)
        else:
            raise ValueError(
                "metric must be 'euclidean', 'mahalanobis' or a callable; "
                f"got {metric!r}."
            )

    def whiten(self, X):
        """Coordinates in which the metric is Euclidean (identity for callables)."""
        return X if self.W is None else X @ self.W

    def pairwise(self, X, C, whitened=False):
        """Distances of shape (n_samples, n_centroids), computed by chunks.

        ``whitened=True`` says that ``X`` is already ``whiten(X)`` (not for
        callables).
        """
        out = np.empty((X.shape[0], C.shape[0]))
        if self.func is not None:
            for start in range(0, X.shape[0], _CHUNK):
                sl = slice(start, start + _CHUNK)
                if self.vectorized:
                    out[sl] = self.func(X[sl], C, **self.params)
                else:
                    out[sl] = cdist(X[sl], C, metric=self.func, **self.params)
            return out
        Cw = self.whiten(C)
        for start in range(0, X.shape[0], _CHUNK):
            Xw = X[start : start + _CHUNK]
            Xw = Xw if whitened else self.whiten(Xw)
            for j in range(Cw.shape[0]):
                # explicit differences (not |x|^2 - 2xc + |c|^2): exact at gate edges
                diff = Xw - Cw[j]
                out[start : start + _CHUNK, j] = np.sqrt(
                    np.einsum("ij,ij->i", diff, diff)
                )
        return out

    def norm(self, delta):
        """Length of displacement vectors ``delta`` (rows) in the metric."""
        delta = np.atleast_2d(delta)
        if self.func is None:
            return np.linalg.norm(self.whiten(delta), axis=1)
        zero = np.zeros((1, delta.shape[1]))
        return self.pairwise(delta, zero)[:, 0]


def _inverse_covariance(X):
    if X.shape[0] < 2:
        return np.eye(X.shape[1])
    cov = np.atleast_2d(np.cov(X, rowvar=False))
    try:
        return np.linalg.inv(cov)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(cov)


def _sqrt_psd(VI):
    try:
        return np.linalg.cholesky(VI)
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(VI)
        if vals.min() < -1e-10 * max(1.0, abs(vals.max())):
            raise ValueError(
                "metric_params['VI'] must be positive semi-definite."
            ) from None
        return vecs * np.sqrt(np.clip(vals, 0, None))


def _is_vectorized(func, params, X):
    """A callable is used vectorised if ``func(A, B)`` returns (len(A), len(B))."""
    A, B = X[:2], np.vstack([X[:1]] * 3)
    if A.shape[0] != 2:
        return False
    try:
        out = np.asarray(func(A, B, **params), dtype=float)
    except Exception:  # a scalar function u, v -> float fails on 2-D input
        return False
    return out.shape == (2, 3)


class _Density:
    """Local density estimate, normalised on the training set.

    ``norm="max"`` divides by the largest training density, giving (0, 1];
    ``norm="quantile"`` returns the fraction of training rows whose density is
    lower or equal, also in (0, 1] and free of the dimension-dependent dynamic
    range of the k-NN estimate.

    ``"knn"``: rho(x) = k / (n V_d r_k(x)**d), r_k the distance to the k-th
    nearest training row (x itself counts when it is a training row), so the
    normalised density is (min r_k / r_k(x))**d.
    ``"gaussian"``: a Gaussian kernel density with bandwidth h (Scott's rule
    n**(-1/(d+4)) times the mean standard deviation when None), evaluated with a
    KD-tree. Both run in the metric's whitened coordinates and need no n x n
    matrix.
    """

    def __init__(self, estimator, n_neighbors, bandwidth, Xw, norm="max", n_jobs=None):
        n, d = Xw.shape
        if norm not in ("max", "quantile"):
            raise ValueError(f"density_norm must be 'max' or 'quantile'; got {norm!r}.")
        self.norm = norm
        self.estimator = estimator
        self.d = d
        self.workers = 1 if n_jobs is None else int(n_jobs)
        if estimator == "knn":
            self.tree = cKDTree(Xw)
            if not (isinstance(n_neighbors, int | np.integer) and n_neighbors >= 1):
                raise ValueError(
                    f"n_neighbors must be a positive int; got {n_neighbors!r}."
                )
            self.k = min(int(n_neighbors), n)
        elif estimator == "gaussian":
            self.tree = KDTree(Xw)
            if bandwidth is None:
                std = Xw.std(axis=0).mean() if n > 1 else 1.0
                bandwidth = (std if std > 0 else 1.0) * n ** (-1.0 / (d + 4))
            if not (np.isscalar(bandwidth) and bandwidth > 0):
                raise ValueError(
                    f"bandwidth must be a positive float; got {bandwidth!r}."
                )
            self.h = float(bandwidth)
        else:
            raise ValueError(
                f"density_estimator must be 'knn' or 'gaussian'; got {estimator!r}."
            )
        raw = self._raw(Xw)
        self.scale = raw.max()
        self.sorted = np.sort(raw)
        self.train = self._normalise(raw)

    def _raw(self, Xw):
        out = np.empty(Xw.shape[0])
        for start in range(0, Xw.shape[0], _CHUNK):
            chunk = Xw[start : start + _CHUNK]
            if self.estimator == "knn":
                r = self.tree.query(chunk, k=[self.k], workers=self.workers)[0][:, 0]
                out[start : start + _CHUNK] = np.maximum(r, np.finfo(float).tiny)
            else:
                out[start : start + _CHUNK] = self.tree.kernel_density(
                    chunk, self.h, kernel="gaussian", rtol=1e-8
                )
        if self.estimator == "knn":
            # keep r_k; densities come as (r_min / r_k)**d in __call__
            return 1.0 / out
        return out

    def __call__(self, Xw):
        return self._normalise(self._raw(Xw))

    def _normalise(self, raw):
        if self.norm == "quantile":
            rank = np.searchsorted(self.sorted, raw, side="right")
            return rank / self.sorted.size
        if self.estimator == "knn":
            return (raw / self.scale) ** self.d
        return raw / self.scale
