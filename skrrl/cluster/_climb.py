"""CLiMB: KBound on known substructures, then exploratory clustering of the rest."""

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from skrrl.cluster._kbound import _PARAM_NAMES, KBound, _kbound_params
from skrrl.cluster._strategies import fit_strategy, make_strategy, predict_strategy
from skrrl.utils._docstring import Substitution


@Substitution(
    params=_kbound_params.replace(
        "distance_threshold : float or None, default=None",
        "distance_threshold : float or None, default=1.5",
    )
)
class CLiMB(ClusterMixin, BaseEstimator):
    """Two-phase semi-supervised clustering (CLustering In Multiphase Boundaries).

    Phase 1 (:class:`KBound`) grows the known substructures from their seeds
    under density, distance and radial gates; phase 2 clusters the rows that
    phase 1 left unassigned with an exploratory clusterer, to find new
    substructures. Defaults suit standardised features.

    Parameters
    ----------
    {params}
    exploratory : {{"dbscan", "hdbscan", "optics"}} or estimator, default="dbscan"
        Phase-2 clusterer: an alias (``DBSCAN(eps=0.5, min_samples=5)``,
        ``hdbscan.HDBSCAN(min_cluster_size=5, prediction_data=True)``,
        ``OPTICS(min_samples=5)``) or any unfitted clusterer with ``fit`` and
        ``labels_``, cloned into ``strategy_``.
    exploratory_params : dict or None, default=None
        Parameters set on the phase-2 clusterer (e.g. ``{{"eps": 0.19}}``).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Contiguous labels, -1 = noise: the non-empty phase-1 clusters first (in
        seed order), then the phase-2 clusters.
    kbound_ : KBound
        The fitted phase-1 model.
    strategy_ : estimator
        The phase-2 clusterer, fitted on the rows phase 1 left out (left
        unfitted when there are too few of them).
    phase1_labels_ : ndarray of shape (n_samples,)
        ``kbound_.labels_``.
    phase2_labels_ : ndarray of shape (n_samples,)
        Phase-2 cluster of the rows phase 1 left out, -1 elsewhere and for noise.
    label_origin_ : ndarray of shape (n_labels, 2)
        Row ``i`` says where label ``i`` comes from: ``(1, kbound cluster)`` or
        ``(2, phase-2 cluster)``.
    n_iter_ : int
        Iterations run by phase 1.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    KBound : Phase 1 alone.

    Notes
    -----
    Mapping from the original ``CLiMB`` (``climb-astro``): ``constrained_clusters``
    is ``n_clusters``, ``seed_points`` is ``seeds``, ``distance_metric`` is
    ``metric``, ``exploratory_algorithm`` is ``exploratory``; the builder setters
    ``set_density``/``set_distance``/``set_radial``/``set_convergence``/
    ``set_exploratory_algorithm`` are ``set_params`` (chainable, and nested
    ``exploratory__eps`` works for estimator strategies). The gate parameters are
    those of :class:`KBound`. Plots live in :func:`plot_climb_2d` and
    :func:`plot_climb_3d` and never change the model.

    References
    ----------
    .. [1] Monti, L. et al., "CLiMB: Charting the Milky Way's Past with
       Multiphase Semi-Supervised Clustering", Astronomy and Computing 101118
       (2026), arXiv:2601.09768.

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.cluster import CLiMB
    >>> rng = np.random.RandomState(0)
    >>> known = rng.normal(0, 0.1, (30, 2))
    >>> new = rng.normal(3, 0.1, (30, 2))
    >>> X = np.vstack([known, new])
    >>> model = CLiMB(seeds=[[0, 0]], distance_threshold=1.0, random_state=0)
    >>> labels = model.fit_predict(X)
    >>> np.unique(labels[:30]), np.unique(labels[30:])
    (array([0]), array([1]))
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
        distance_threshold=1.5,
        radial_threshold=None,
        radial_mode="reject",
        max_iter=300,
        convergence_tolerance=1e-4,
        seed_tolerance=1e-8,
        n_jobs=None,
        random_state=None,
        exploratory="dbscan",
        exploratory_params=None,
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
        self.exploratory = exploratory
        self.exploratory_params = exploratory_params

    def fit(self, X, y=None):
        """Run phase 1 (KBound) and phase 2 (exploratory) on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (standardised features are expected).
        y : array-like of shape (n_samples,) or None, default=None
            Known substructure of each row, ``-1`` for unlabelled rows.

        Returns
        -------
        self : CLiMB
            Fitted estimator.
        """
        X = validate_data(self, X, dtype=np.float64)
        strategy = make_strategy(self.exploratory, self.exploratory_params)
        params = {name: getattr(self, name) for name in _PARAM_NAMES}
        self.kbound_ = KBound(**params).fit(X, y)
        self.n_iter_ = self.kbound_.n_iter_
        phase1 = self.kbound_.labels_
        rest = phase1 == -1
        self._phase2_X_ = X[rest]
        phase2_rest = fit_strategy(strategy, self._phase2_X_)
        self.strategy_ = strategy
        self._phase2_train_labels_ = phase2_rest
        phase2 = np.full(X.shape[0], -1, dtype=np.intp)
        phase2[rest] = phase2_rest

        k = self.kbound_.cluster_centers_.shape[0]
        used1 = np.unique(phase1[phase1 >= 0])
        m = int(phase2_rest.max()) + 1 if phase2_rest.size else 0
        origin = [(1, int(c)) for c in used1] + [(2, j) for j in range(m)]
        self.label_origin_ = np.asarray(origin, dtype=np.intp).reshape(-1, 2)
        self._map1_ = np.full(k, -1, dtype=np.intp)
        self._map1_[used1] = np.arange(used1.size)
        self.phase1_labels_ = phase1
        self.phase2_labels_ = phase2
        self.labels_ = self._combine(phase1, phase2)
        return self

    def _combine(self, phase1, phase2):
        labels = np.full(phase1.shape[0], -1, dtype=np.intp)
        in1 = phase1 >= 0
        labels[in1] = self._map1_[phase1[in1]]
        in2 = ~in1 & (phase2 >= 0)
        labels[in2] = phase2[in2] + int((self._map1_ >= 0).sum())
        return labels

    def predict(self, X):
        """Assign new rows: the phase-1 gates first, then the phase-2 model.

        Phase-2 rules (see ``skrrl.cluster._strategies.predict_strategy``):
        ``approximate_predict`` for hdbscan, nearest core sample within ``eps``
        for DBSCAN, nearest clustered row within its core distance for OPTICS,
        else the clusterer's ``predict`` or the nearest phase-2 training row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Labels in the numbering of ``labels_``; -1 is noise. A phase-1
            cluster that was empty in ``fit`` has no label: its rows go on to
            phase 2.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        phase1 = self.kbound_.predict(X)
        phase1 = np.where(phase1 >= 0, self._map1_[np.maximum(phase1, 0)], -1)
        labels = phase1.copy()
        rest = phase1 == -1
        phase2 = predict_strategy(
            self.strategy_, self._phase2_X_, self._phase2_train_labels_, X[rest]
        )
        n1 = int((self._map1_ >= 0).sum())
        labels[rest] = np.where(phase2 >= 0, phase2 + n1, -1)
        return labels

    def fit_predict(self, X, y=None):
        """Fit and return ``labels_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or None, default=None
            Known substructure of each row, -1 for unlabelled rows.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Contiguous cluster labels, -1 for noise.
        """
        return self.fit(X, y).labels_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        return tags
