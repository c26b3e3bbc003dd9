"""KBound: seeded, constrained K-means with density, distance and radial gates."""

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from skrrl.cluster._distance import _Density, _Metric
from skrrl.cluster._explain import decision_path, feature_attribution
from skrrl.cluster._seeds import resolve_seeds
from skrrl.utils._docstring import (
    Substitution,
    _random_state_docstring,
)

_kbound_params = (
    """\
n_clusters : int or None, default=None
        Number of phase-1 clusters ``k``. ``None`` takes it from the seeds (the
        number of centroids, dict keys or labelled classes of ``y``), else 8.
        With ``y``, every labelled class gets a cluster: a smaller
        ``n_clusters`` is raised to their number, with a warning.
    seeds : array-like of shape (n_seeds, n_features), dict or None, default=None
        Known substructures. An array of centroids: with more rows than ``k`` a
        greedy farthest-point subset (in ``metric``, starting from the first
        row) is kept; with fewer, the rest are drawn from ``X`` by D^2
        (k-means++) sampling with ``random_state``. A dict
        ``{centroid: [members]}``: keys are the initial centroids (cluster
        ``i`` is the ``i``-th key), members are row indices of ``X`` or points
        matched to the nearest row within ``seed_tolerance``. Members are
        pinned to their cluster in every iteration, so they also pull the
        centroid. ``None``: k-means++ from ``X``. Known members can
        instead be passed as ``y`` to ``fit`` (``-1`` = unlabelled).
    metric : {"euclidean", "mahalanobis"} or callable, default="euclidean"
        Distance used by the assignment, the distance gate, the radial gate
        and the convergence test. A callable is either vectorised,
        ``metric(A, B) -> (len(A), len(B))`` array, or pairwise,
        ``metric(u, v) -> float`` (detected once in ``fit``).
    metric_params : dict or None, default=None
        ``{"VI": array}`` for ``"mahalanobis"`` (default: the inverse
        covariance of ``X``, pseudo-inverse if singular); keyword arguments of a
        callable metric.
    density_threshold : float or None, default=None
        Threshold on the normalised local density (see ``density_norm``), in
        (0, 1]. ``None`` switches the density gate off.
    density_gate : {"floor", "ceiling"}, default="floor"
        ``"floor"`` rejects rows with density strictly *below* the threshold
        (sparse outskirts go to phase 2); ``"ceiling"`` rejects rows with density
        strictly *above* it (the original code's behaviour).
    density_estimator : {"knn", "gaussian"}, default="knn"
        ``"knn"``: (r_min / r_k)**d from the distance r_k to the
        ``n_neighbors``-th nearest training row; ``"gaussian"``: Gaussian kernel
        density with ``bandwidth``. Both use a KD-tree in the metric's whitened
        coordinates (Euclidean for a callable metric), never an n x n matrix.
    density_norm : {"quantile", "max"}, default="quantile"
        ``"quantile"``: the fraction of training rows with lower or equal
        density (a floor of 0.1 rejects the sparsest 10 %); ``"max"``: the
        density divided by its training maximum (the original convention; in d
        dimensions the k-NN estimate spans a range of (r_max/r_min)**d).
    n_neighbors : int, default=10
        ``k`` of the k-NN density (a training row counts itself).
    bandwidth : float or None, default=None
        Kernel width of the Gaussian density; ``None`` uses Scott's rule.
    distance_threshold : float or None, default=None
        Rows farther than this (strictly, in ``metric`` units) from their
        nearest centroid are left unassigned. ``None`` switches the gate off.
    radial_threshold : float or None, default=None
        Largest allowed drift of a centroid from its initial position, in
        ``metric`` units. ``None`` switches the gate off.
    radial_mode : {"reject", "project"}, default="reject"
        What happens to an update that drifts too far: ``"reject"`` keeps the
        previous centroid, ``"project"`` moves it to the sphere (ellipsoid for
        Mahalanobis) of radius ``radial_threshold`` around the initial centroid.
    max_iter : int, default=300
        Maximum number of assignment/update iterations.
    convergence_tolerance : float, default=1e-4
        Stop when no centroid moves more than this (in ``metric`` units).
    seed_tolerance : float, default=1e-8
        Largest Euclidean distance at which a member point of a dict seed is
        matched to a row of ``X``.
    n_jobs : int, default=None
        Threads of the k-NN density query. ``None`` means 1, ``-1`` all
        processors.
    """
    + _random_state_docstring
)

_PARAM_NAMES = (
    "n_clusters seeds metric metric_params density_threshold density_gate "
    "density_estimator density_norm n_neighbors bandwidth distance_threshold "
    "radial_threshold radial_mode max_iter convergence_tolerance seed_tolerance "
    "n_jobs random_state"
).split()


@Substitution(params=_kbound_params)
class KBound(ClusterMixin, BaseEstimator):
    """Seeded, constrained K-means with density, distance and radial gates.

    Phase 1 of CLiMB (Monti et al. 2026): centroids start at known
    substructures and move as in Lloyd's algorithm, but a row joins its nearest
    centroid only if it passes the density gate and lies within
    ``distance_threshold``; a centroid may not drift farther than
    ``radial_threshold`` from where it started. Rejected rows get label -1.

    Parameters
    ----------
    {params}

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster index (the seed order) of each row, -1 when a gate rejected it.
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Final centroids (arithmetic means of their members, see Notes).
    initial_centers_ : ndarray of shape (n_clusters, n_features)
        Centroids at the start, the reference of the radial gate.
    pinned_ : ndarray of shape (n_samples,)
        Cluster a row was pinned to by the seeds or ``y``, -1 if free.
    seed_classes_ : ndarray of shape (n_clusters,) or None
        With ``y`` seeds, the ``y`` value of each cluster (-1 for clusters
        completed from the data); ``None`` otherwise.
    local_density_ : ndarray of shape (n_samples,) or None
        Normalised density of each training row (``density_norm``), ``None``
        when the gate is off.
    VI_ : ndarray of shape (n_features, n_features) or None
        Inverse covariance used by ``"mahalanobis"``.
    n_iter_ : int
        Iterations run.
    converged_ : bool
        Whether the centroids settled within ``convergence_tolerance``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    CLiMB : KBound followed by an exploratory clusterer on the rejected rows.

    Notes
    -----
    Centroids are arithmetic means of their members, which minimise the summed
    squared Euclidean *and* Mahalanobis (fixed VI) distances, so the update is
    consistent with both metrics; for a callable metric it is the Euclidean
    mean (Lloyd step). After the last update the rows are assigned once more,
    so ``labels_`` agrees with ``cluster_centers_`` and with :meth:`predict`
    (pinned rows keep their seed cluster).

    Parameters of the original ``CLiMB.core.KBound``: ``n_clusters``
    (``constrained_clusters`` in ``CLiMB``), ``seeds`` (``seed_points``),
    ``metric`` (``distance_metric``), ``metric_params``, ``distance_threshold``,
    ``radial_threshold``, ``convergence_tolerance`` (the original measures it
    with the Euclidean norm), ``fit(..., is_slight_movement=True)`` is
    ``radial_mode="project"``, ``known_labels`` is ``y`` (one label per row).
    The original ``density_threshold=t`` rejects rows whose Gaussian density
    (bandwidth = mean pairwise distance, normalised by the maximum) exceeds
    ``1 - t``: here ``density_gate="ceiling"``, ``density_threshold=1 - t``,
    ``density_estimator="gaussian"``, ``density_norm="max"``. ``centroids_`` is
    ``cluster_centers_``, ``original_centroids_`` is ``initial_centers_``,
    ``unassigned_mask_`` is ``labels_ == -1``; ``mapped_labels_`` is gone
    because labels already follow the seed order.

    References
    ----------
    .. [1] Monti, L. et al., "CLiMB: Charting the Milky Way's Past with
       Multiphase Semi-Supervised Clustering", Astronomy and Computing 101118
       (2026), arXiv:2601.09768.

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.cluster import KBound
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [20.0, 0.0]])
    >>> km = KBound(seeds=[[0, 0], [5, 5]], distance_threshold=1.0).fit(X)
    >>> km.labels_
    array([ 0,  0,  1,  1, -1])
    >>> km.predict([[4.8, 5.2]])
    array([1])
    """

    def __init__(
        self,
        *,
        n_clusters=None,
        seeds=None,
        metric="euclidean",
        metric_params=None,
        density_threshold=None,
        density_gate="floor",
        density_estimator="knn",
        density_norm="quantile",
        n_neighbors=10,
        bandwidth=None,
        distance_threshold=None,
        radial_threshold=None,
        radial_mode="reject",
        max_iter=300,
        convergence_tolerance=1e-4,
        seed_tolerance=1e-8,
        n_jobs=None,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.seeds = seeds
        self.metric = metric
        self.metric_params = metric_params
        self.density_threshold = density_threshold
        self.density_gate = density_gate
        self.density_estimator = density_estimator
        self.density_norm = density_norm
        self.n_neighbors = n_neighbors
        self.bandwidth = bandwidth
        self.distance_threshold = distance_threshold
        self.radial_threshold = radial_threshold
        self.radial_mode = radial_mode
        self.max_iter = max_iter
        self.convergence_tolerance = convergence_tolerance
        self.seed_tolerance = seed_tolerance
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _check_params(self):
        for name in ("distance_threshold", "radial_threshold", "density_threshold"):
            value = getattr(self, name)
            if value is not None and not (np.isscalar(value) and value >= 0):
                raise ValueError(f"{name} must be a non-negative float or None.")
        if self.density_gate not in ("floor", "ceiling"):
            raise ValueError(
                f"density_gate must be 'floor' or 'ceiling'; got {self.density_gate!r}."
            )
        if self.radial_mode not in ("reject", "project"):
            raise ValueError(
                f"radial_mode must be 'reject' or 'project'; got {self.radial_mode!r}."
            )
        if not (isinstance(self.max_iter, int | np.integer) and self.max_iter >= 1):
            raise ValueError(f"max_iter must be a positive int; got {self.max_iter!r}.")
        if not self.convergence_tolerance >= 0:
            raise ValueError("convergence_tolerance must be non-negative.")

    def fit(self, X, y=None):
        """Run the constrained K-means.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (standardised features are expected).
        y : array-like of shape (n_samples,) or None, default=None
            Known cluster of each row, ``-1`` for unlabelled rows
            (``sklearn.semi_supervised`` convention). Labelled rows are pinned.

        Returns
        -------
        self : KBound
            Fitted estimator.
        """
        X = validate_data(self, X, dtype=np.float64)
        if y is not None:
            y = column_or_1d(y, warn=True)
            if y.shape[0] != X.shape[0]:
                raise ValueError(
                    f"y has {y.shape[0]} entries but X has {X.shape[0]} rows."
                )
            if not np.all(np.equal(np.mod(y, 1), 0)):
                raise ValueError("y must hold integer cluster labels (-1 unlabelled).")
            y = y.astype(np.int64)
        self._check_params()
        rng = check_random_state(self.random_state)
        metric = _Metric(self.metric, self.metric_params, X)
        centers, pinned, seed_classes = resolve_seeds(
            self.seeds, y, self.n_clusters, X, metric, rng, self.seed_tolerance
        )
        self._metric_ = metric
        self.VI_ = metric.VI
        self.pinned_ = pinned
        self.seed_classes_ = seed_classes
        self.initial_centers_ = centers.copy()
        self.local_density_ = None
        self._density_ = None
        if self.density_threshold is not None:
            self._density_ = _Density(
                self.density_estimator,
                self.n_neighbors,
                self.bandwidth,
                metric.whiten(X),
                self.density_norm,
                self.n_jobs,
            )
            self.local_density_ = self._density_.train
        density_ok = self._density_ok(self.local_density_)

        k = centers.shape[0]
        is_pinned = pinned >= 0
        # whiten once: the assignment runs every iteration
        Xg, white = (X, False) if metric.func is not None else (metric.whiten(X), True)
        self.converged_ = False
        n_iter = 0
        while n_iter < self.max_iter:
            n_iter += 1
            labels = self._gate(Xg, centers, density_ok, white)[0]
            labels[is_pinned] = pinned[is_pinned]
            new = self._update(X, labels, centers, k)
            shift = metric.norm(new - centers)
            centers = new
            if shift.max() <= self.convergence_tolerance:
                self.converged_ = True
                break
        self.n_iter_ = n_iter
        labels = self._gate(Xg, centers, density_ok, white)[0]
        labels[is_pinned] = pinned[is_pinned]
        self.cluster_centers_ = centers
        self.labels_ = labels
        return self

    def _update(self, X, labels, centers, k):
        kept = labels >= 0
        lab = labels[kept]
        counts = np.bincount(lab, minlength=k)
        sums = np.column_stack(
            [
                np.bincount(lab, weights=X[kept, j], minlength=k)
                for j in range(X.shape[1])
            ]
        )
        new = centers.copy()
        nonempty = counts > 0  # an empty cluster keeps its centroid
        new[nonempty] = sums[nonempty] / counts[nonempty, None]
        if self.radial_threshold is not None:
            start = self.initial_centers_
            drift = self._metric_.norm(new - start)
            over = drift > self.radial_threshold
            if self.radial_mode == "reject":
                new[over] = centers[over]
            else:
                # norms are homogeneous: scaling the drift lands on the boundary
                scale = self.radial_threshold / drift[over]
                new[over] = start[over] + (new[over] - start[over]) * scale[:, None]
        return new

    def _density_ok(self, density):
        if density is None:
            return None
        if self.density_gate == "floor":
            return density >= self.density_threshold
        return density <= self.density_threshold

    def _gate(self, X, centers, density_ok, whitened=False):
        """Labels after the gates, plus the distance matrix to the centroids."""
        D = self._metric_.pairwise(X, centers, whitened)
        nearest = np.argmin(D, axis=1)
        labels = nearest.astype(np.intp)
        if density_ok is not None:
            labels[~density_ok] = -1
        if self.distance_threshold is not None:
            dmin = D[np.arange(X.shape[0]), nearest]
            labels[dmin > self.distance_threshold] = -1
        return labels, D

    def _density_of(self, X):
        if self._density_ is None:
            return None
        return self._density_(self._metric_.whiten(X))

    def predict(self, X):
        """Assign new rows to the fitted centroids through the same gates.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster index, -1 where a gate rejects the row.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        density_ok = self._density_ok(self._density_of(X))
        return self._gate(X, self.cluster_centers_, density_ok)[0]

    def fit_predict(self, X, y=None):
        """Fit and return ``labels_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or None, default=None
            Known cluster of each row, -1 for unlabelled rows.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster labels, -1 for rows rejected by a gate.
        """
        return self.fit(X, y).labels_

    def decision_path(self, X):
        """Replay the gates on ``X`` and say which one decided each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to explain.

        Returns
        -------
        path : Bunch
            ``label`` (as :meth:`predict`), ``gate`` (``"density"``,
            ``"distance"`` or ``"assigned"``: the first gate that rejected the
            row, or ``"assigned"`` when the nearest centroid took it),
            ``nearest``, ``distance``, ``runner_up`` (-1 when k=1),
            ``runner_up_distance``, ``assignment_margin`` (runner-up minus
            nearest distance), ``density``, ``density_margin`` and
            ``distance_margin`` (>= 0 means the gate was passed, by that much;
            NaN when the gate is off).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return decision_path(self, X)

    def feature_attribution(self, X, *, feature_names=None):
        """Exact per-feature split of the squared distance to the centroids.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to explain.
        feature_names : list of str or None, default=None
            Names to return with the attribution.

        Returns
        -------
        attribution : Bunch
            ``contributions`` of shape (n_samples, n_features) with
            ``delta_j * (VI @ delta)_j`` (``delta_j**2`` for Euclidean), which
            sums exactly to the squared distance to the ``nearest`` centroid;
            ``discriminative``, the same split of ``d2(runner_up) - d2(nearest)``
            (positive entries favour the chosen cluster); ``nearest``,
            ``runner_up``, ``squared_distance`` and ``feature_names``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return feature_attribution(self, X, feature_names)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags
