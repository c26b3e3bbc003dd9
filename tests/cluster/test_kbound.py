"""Known-answer tests of KBound: seeds, gates at their boundaries, metrics, fixes."""

import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from skrrl.cluster import KBound

CENTERS = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])


@pytest.fixture
def blobs():
    X, y = make_blobs(n_samples=150, centers=CENTERS, cluster_std=0.5, random_state=0)
    return X, y


def test_seeds_recover_blobs_exactly_with_gates_off(blobs):
    X, y = blobs
    km = KBound(seeds=CENTERS).fit(X)
    np.testing.assert_array_equal(km.labels_, y)
    means = np.vstack([X[y == j].mean(axis=0) for j in range(3)])
    np.testing.assert_allclose(km.cluster_centers_, means)
    assert km.converged_ and km.n_iter_ >= 1


def test_ndarray_seeds_are_used_not_ignored(blobs):
    # original bug: ndarray seeds were silently replaced by random rows
    X, _ = blobs
    seeds = np.array([[1.0, 1.0], [9.0, 1.0], [1.0, 9.0]])
    km = KBound(seeds=seeds, radial_threshold=0.0).fit(X)
    np.testing.assert_array_equal(km.initial_centers_, seeds)
    np.testing.assert_array_equal(km.cluster_centers_, seeds)


def test_list_of_exactly_k_seeds_works(blobs):
    # original bug: a list of exactly k seeds crashed (no return)
    X, y = blobs
    km = KBound(n_clusters=3, seeds=CENTERS.tolist()).fit(X)
    np.testing.assert_array_equal(km.labels_, y)


def test_farthest_point_subset_is_real():
    # original bug: min(dist, 0) == 0 made it take the first k seeds
    seeds = np.array([[0.0, 0.0], [0.01, 0.0], [10.0, 0.0], [0.0, 10.0]])
    X = np.random.RandomState(0).normal(size=(40, 2))
    km = KBound(n_clusters=3, seeds=seeds, max_iter=1, radial_threshold=0.0).fit(X)
    np.testing.assert_array_equal(km.initial_centers_, seeds[[0, 2, 3]])


def test_fewer_seeds_completed_from_data_seeded(blobs):
    X, _ = blobs
    a = KBound(n_clusters=3, seeds=CENTERS[:1], random_state=1).fit(X)
    b = KBound(n_clusters=3, seeds=CENTERS[:1], random_state=1).fit(X)
    np.testing.assert_array_equal(a.initial_centers_, b.initial_centers_)
    np.testing.assert_array_equal(a.initial_centers_[0], CENTERS[0])
    # completed centroids are data rows
    for c in a.initial_centers_[1:]:
        assert np.any(np.all(X == c, axis=1))


def test_unassigned_stay_minus_one(blobs):
    # original bug: mapped_labels_ turned -1 into 0
    X, y = blobs
    X = np.vstack([X, [[50.0, 50.0]]])
    km = KBound(seeds=CENTERS, distance_threshold=3.0).fit(X)
    assert km.labels_[-1] == -1
    np.testing.assert_array_equal(km.labels_[:-1], y)
    assert (km.labels_ == 0).sum() == (y == 0).sum()


def test_dict_seed_members_by_index_and_tolerance(blobs):
    # original bug: members looked up by exact float equality
    X, y = blobs
    rows0 = np.flatnonzero(y == 0)[:3]
    rows1 = np.flatnonzero(y == 1)[:2]
    seeds = {
        tuple(CENTERS[0]): [int(r) for r in rows0],
        tuple(CENTERS[1]): [tuple(X[r] + 1e-12) for r in rows1],
        tuple(CENTERS[2]): [],
    }
    km = KBound(seeds=seeds, seed_tolerance=1e-9).fit(X)
    assert np.all(km.pinned_[rows0] == 0)
    assert np.all(km.pinned_[rows1] == 1)
    assert (km.pinned_ >= 0).sum() == 5
    far = {tuple(CENTERS[0]): [tuple(X[rows0[0]] + 1.0)]}
    with pytest.warns(UserWarning, match="1 seed member"):
        KBound(n_clusters=3, seeds=far, random_state=0).fit(X)


def test_pinned_members_act_during_iterations():
    # original bug: members were forced only after fitting, never moving centroids
    rng = np.random.RandomState(0)
    blob = rng.normal(0, 0.1, (10, 2))
    far = np.array([[3.0, 0.0], [3.0, 0.2]])
    X = np.vstack([blob, far])
    seeds = {(0.0, 0.0): [10, 11]}
    km = KBound(seeds=seeds, distance_threshold=1.0).fit(X)
    np.testing.assert_array_equal(km.labels_, np.zeros(12, dtype=int))
    np.testing.assert_allclose(km.cluster_centers_[0], X.mean(axis=0))


def test_semi_supervised_y(blobs):
    X, y = blobs
    y_semi = np.full_like(y, -1)
    y_semi[:6] = y[:6] + 5  # arbitrary class values
    km = KBound(random_state=0).fit(X, y_semi)
    classes = np.unique(y[:6] + 5)
    np.testing.assert_array_equal(km.seed_classes_, classes)
    expected = np.searchsorted(classes, y + 5)
    np.testing.assert_array_equal(km.labels_, expected)
    with pytest.raises(ValueError, match="not both"):
        KBound(seeds=CENTERS).fit(X, y_semi)


def test_random_state_reproducible(blobs):
    X, _ = blobs
    a = KBound(n_clusters=3, random_state=3).fit(X)
    b = KBound(n_clusters=3, random_state=3).fit(X)
    np.testing.assert_array_equal(a.initial_centers_, b.initial_centers_)


@pytest.mark.parametrize(
    "threshold, kept", [(5.0, True), (np.nextafter(5.0, 0), False)]
)
def test_distance_gate_boundary(threshold, kept):
    X = np.array([[0.0, 0.0], [3.0, 4.0], [-3.0, -4.0]])
    km = KBound(seeds=[[0.0, 0.0]], distance_threshold=threshold, radial_threshold=0.0)
    labels = km.fit(X).labels_
    assert bool(labels[1] == 0) == kept and bool(labels[2] == 0) == kept


@pytest.mark.parametrize("gate", ["floor", "ceiling"])
def test_density_gate_boundary(gate):
    X = np.random.RandomState(0).normal(size=(200, 2))
    dens = KBound(seeds=[[0, 0]], density_threshold=0.5).fit(X).local_density_
    row = int(np.argsort(dens)[100])
    t = dens[row]
    labels = KBound(seeds=[[0, 0]], density_threshold=t, density_gate=gate).fit(X)
    assert labels.labels_[row] == 0
    if gate == "floor":
        np.testing.assert_array_equal(labels.labels_ == 0, dens >= t)
        nudged = np.nextafter(t, 1)
    else:
        np.testing.assert_array_equal(labels.labels_ == 0, dens <= t)
        nudged = np.nextafter(t, 0)
    km = KBound(seeds=[[0, 0]], density_threshold=nudged, density_gate=gate).fit(X)
    assert km.labels_[row] == -1


def test_knn_density_known_answer():
    # 1-D grid: interior rows have r_2 = spacing, the two ends 2 * spacing
    X = np.arange(10.0)[:, None]
    km = KBound(
        seeds=[[0.0]], density_threshold=0.0, n_neighbors=3, density_norm="max"
    ).fit(X)
    expected = np.ones(10)
    expected[[0, -1]] = 0.5  # (r_min / r_k)**d with d = 1
    np.testing.assert_allclose(km.local_density_, expected)


def test_density_needs_no_n_by_n_matrix():
    X = np.random.RandomState(0).normal(size=(20000, 2))
    tracemalloc.start()
    KBound(seeds=[[0, 0]], density_threshold=0.1, max_iter=2).fit(X)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 200 * 2**20  # an n x n float64 matrix alone is 3.2 GB


def _radial_data():
    # symmetric around (1, 0): the mean is exactly (1, 0)
    return np.array([[1.0, 1.0], [1.0, -1.0], [0.0, 0.0], [2.0, 0.0]])


@pytest.mark.parametrize(
    "radius, mode, expected",
    [
        (1.0, "reject", [1.0, 0.0]),  # drift exactly at the limit is allowed
        (0.5, "reject", [0.0, 0.0]),
        (0.5, "project", [0.5, 0.0]),
    ],
)
def test_radial_gate_boundary(radius, mode, expected):
    km = KBound(seeds=[[0.0, 0.0]], radial_threshold=radius, radial_mode=mode)
    km.fit(_radial_data())
    np.testing.assert_allclose(km.cluster_centers_[0], expected)


def test_radial_projection_in_mahalanobis_units():
    VI = np.diag([4.0, 1.0])  # drift (1, 0) has length 2
    km = KBound(
        seeds=[[0.0, 0.0]],
        metric="mahalanobis",
        metric_params={"VI": VI},
        radial_threshold=1.0,
        radial_mode="project",
    ).fit(_radial_data())
    np.testing.assert_allclose(km.cluster_centers_[0], [0.5, 0.0])


def test_mahalanobis_identity_equals_euclidean(blobs):
    X, _ = blobs
    kw = {"seeds": CENTERS + 0.5, "distance_threshold": 1.2, "density_threshold": 0.05}
    e = KBound(**kw).fit(X)
    m = KBound(metric="mahalanobis", metric_params={"VI": np.eye(2)}, **kw).fit(X)
    np.testing.assert_array_equal(e.labels_, m.labels_)
    np.testing.assert_allclose(e.cluster_centers_, m.cluster_centers_)
    np.testing.assert_allclose(e.decision_path(X).distance, m.decision_path(X).distance)


def test_mahalanobis_default_vi_is_inverse_covariance(blobs):
    X, _ = blobs
    km = KBound(seeds=CENTERS, metric="mahalanobis").fit(X)
    np.testing.assert_allclose(km.VI_, np.linalg.inv(np.cov(X.T)))


def test_callable_metrics_match_euclidean(blobs):
    X, _ = blobs
    kw = {"seeds": CENTERS, "distance_threshold": 1.0}
    ref = KBound(**kw).fit(X)
    calls = []

    def vectorised(A, B):
        calls.append(1)
        return np.sqrt(((A[:, None, :] - B[None]) ** 2).sum(-1))

    def pairwise(u, v):
        return float(np.sqrt(((u - v) ** 2).sum()))

    for metric in (vectorised, pairwise):
        km = KBound(metric=metric, **kw).fit(X)
        np.testing.assert_array_equal(km.labels_, ref.labels_)
        np.testing.assert_allclose(km.cluster_centers_, ref.cluster_centers_)
    # vectorised: a handful of calls per iteration, not one per (row, centroid)
    assert len(calls) < 10 * (ref.n_iter_ + 3)


def test_predict_reproduces_training_labels(blobs):
    X, _ = blobs
    X = np.vstack([X, [[30.0, 30.0], [5.0, 5.0]]])
    km = KBound(
        seeds=CENTERS,
        metric="mahalanobis",
        distance_threshold=1.5,
        density_threshold=0.02,
        radial_threshold=0.5,
    ).fit(X)
    assert (km.labels_ == -1).any()
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    np.testing.assert_array_equal(km.decision_path(X).label, km.labels_)


def test_decision_path_names_the_gate():
    X = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [4.0, 0.0], [0.0, 9.0]])
    km = KBound(seeds=[[0.0, 0.0], [0.0, 10.0]], distance_threshold=2.0)
    km.set_params(radial_threshold=0.0).fit(X)
    path = km.decision_path(X)
    assert list(path.gate) == ["assigned"] * 3 + ["distance", "assigned"]
    np.testing.assert_allclose(path.distance_margin[3], 2.0 - 4.0)
    assert path.runner_up[0] == 1 and path.nearest[4] == 1
    np.testing.assert_allclose(path.assignment_margin[0], 10.0)
    assert np.isnan(path.density_margin).all()


@pytest.mark.parametrize("metric", ["euclidean", "mahalanobis"])
def test_feature_attribution_sums_to_squared_distance(blobs, metric):
    X, _ = blobs
    rng = np.random.RandomState(0)
    A = rng.normal(size=(2, 2))
    params = {"VI": A @ A.T + np.eye(2)} if metric == "mahalanobis" else None
    km = KBound(seeds=CENTERS, metric=metric, metric_params=params).fit(X)
    att = km.feature_attribution(X, feature_names=["a", "b"])
    path = km.decision_path(X)
    np.testing.assert_allclose(att.contributions.sum(axis=1), path.distance**2)
    np.testing.assert_allclose(
        att.discriminative.sum(axis=1),
        path.runner_up_distance**2 - path.distance**2,
    )
    assert att.feature_names == ["a", "b"]
    if metric == "euclidean":
        delta = X - km.cluster_centers_[att.nearest]
        np.testing.assert_allclose(att.contributions, delta**2)


def test_feature_attribution_rejects_callable(blobs):
    X, _ = blobs
    km = KBound(seeds=CENTERS, metric=lambda u, v: np.abs(u - v).sum()).fit(X)
    with pytest.raises(ValueError, match="callable"):
        km.feature_attribution(X)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"metric": "cosine"}, "metric"),
        ({"density_gate": "top", "density_threshold": 0.1}, "density_gate"),
        ({"radial_mode": "slide"}, "radial_mode"),
        ({"seeds": np.zeros((2, 3))}, r"shape \(n_seeds, 2\)"),
        ({"distance_threshold": -1.0}, "distance_threshold"),
        ({"density_estimator": "fft", "density_threshold": 0.1}, "density_estimator"),
        ({"seeds": {(0.0, 0.0): [999]}}, "outside"),
    ],
)
def test_bad_parameters_raise(blobs, kwargs, match):
    X, _ = blobs
    with pytest.raises(ValueError, match=match):
        KBound(**kwargs).fit(X)


def test_unknown_seed_type_raises(blobs):
    X, _ = blobs
    with pytest.raises(TypeError, match="seeds"):
        KBound(seeds=object()).fit(X)


def test_gaussian_density_matches_direct_sum():
    X = np.random.RandomState(1).normal(size=(60, 2))
    h = 0.7
    km = KBound(
        seeds=[[0, 0]],
        density_threshold=0.0,
        density_estimator="gaussian",
        bandwidth=h,
        density_norm="max",
    ).fit(X)
    d2 = ((X[:, None] - X[None]) ** 2).sum(-1)
    raw = np.exp(-0.5 * d2 / h**2).sum(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(km.local_density_, raw / raw.max(), rtol=1e-6)


def test_quantile_density_is_the_rank_of_the_max_density():
    X = np.random.RandomState(2).normal(size=(300, 3))
    kw = {"seeds": [[0, 0, 0]], "density_threshold": 0.0}
    q = KBound(**kw).fit(X).local_density_
    m = KBound(density_norm="max", **kw).fit(X).local_density_
    ranks = (m[None, :] <= m[:, None]).sum(axis=1) / m.size
    np.testing.assert_allclose(q, ranks)
    # a floor of 0.1 rejects the sparsest 10 %
    labels = KBound(seeds=[[0, 0, 0]], density_threshold=0.1).fit(X).labels_
    assert (labels == -1).sum() == (q < 0.1).sum() == 29


def test_dict_seeds_completed_to_n_clusters(blobs):
    X, _ = blobs
    km = KBound(n_clusters=3, seeds={(0.0, 0.0): []}, random_state=0).fit(X)
    assert km.cluster_centers_.shape == (3, 2)
    np.testing.assert_array_equal(km.initial_centers_[0], [0.0, 0.0])
    with pytest.raises(ValueError, match="n_clusters=1"):
        KBound(n_clusters=1, seeds={(0.0, 0.0): [], (1.0, 1.0): []}).fit(X)
