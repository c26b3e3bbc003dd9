"""CLiMB: two phases, strategies, label layout, predict, set_params, plots."""

import copy

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.cluster import DBSCAN, KMeans
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrrl.cluster import CLiMB, plot_climb_2d, plot_climb_3d

matplotlib.use("Agg")

STRATEGIES = ["dbscan", "hdbscan", "optics", DBSCAN()]


@pytest.fixture
def two_groups():
    """A known group at the origin (seeded), unknown ones at (3, 3) and (-3, 3)."""
    rng = np.random.RandomState(0)
    known = rng.normal(0, 0.1, (40, 2))
    new = rng.normal(3, 0.1, (40, 2))
    other = rng.normal(0, 0.1, (40, 2)) + [-3.0, 3.0]
    X = np.vstack([known, new, other])
    truth = np.repeat([0, 1, 2], 40)
    return X, truth


@pytest.mark.parametrize("exploratory", STRATEGIES, ids=str)
def test_known_and_new_groups(two_groups, exploratory):
    X, truth = two_groups
    model = CLiMB(
        seeds=[[0.0, 0.0]], distance_threshold=1.0, exploratory=exploratory
    ).fit(X)
    # phase 1 takes the known group whole; phase 2 keeps the new groups apart
    assert np.all(model.labels_[:40] == 0)
    new, other = (
        set(model.labels_[sl]) - {-1} for sl in (slice(40, 80), slice(80, None))
    )
    assert new and other and not new & other and min(new | other) >= 1
    assert (model.labels_[40:] >= 0).mean() > 0.3  # OPTICS (xi) leaves more noise
    np.testing.assert_array_equal(model.phase1_labels_[40:], -1)
    assert model.strategy_ is not exploratory
    # predict: phase-1 rows reproduce labels_, new stars near each group follow it
    in1 = model.phase1_labels_ >= 0
    np.testing.assert_array_equal(model.predict(X)[in1], model.labels_[in1])
    pred = model.predict([[0.05, 0.0], [3.0, 3.02], [-3.0, 3.0]])
    assert pred[0] == 0 and pred[1] in new and pred[2] in other


@pytest.mark.parametrize("exploratory", STRATEGIES, ids=str)
def test_labels_contiguous_and_noise(two_groups, exploratory):
    X, _ = two_groups
    X = np.vstack([X, [[-8.0, 8.0]]])  # an isolated star: noise in both phases
    labels = CLiMB(
        seeds=[[0.0, 0.0]], distance_threshold=1.0, exploratory=exploratory
    ).fit_predict(X)
    assert labels[-1] == -1
    used = np.unique(labels[labels >= 0])
    np.testing.assert_array_equal(used, np.arange(used.size))


def test_hdbscan_alias_predicts_with_approximate_predict(two_groups):
    X, _ = two_groups
    model = CLiMB(seeds=[[0.0, 0.0]], distance_threshold=1.0, exploratory="hdbscan")
    model.fit(X)
    assert type(model.strategy_).__module__.startswith("hdbscan")
    assert model.strategy_.prediction_data is True


def test_empty_phase1_cluster_keeps_labels_contiguous(two_groups):
    X, _ = two_groups
    model = CLiMB(
        seeds=[[0.0, 0.0], [50.0, 50.0]], distance_threshold=1.0, radial_threshold=0.0
    ).fit(X)
    np.testing.assert_array_equal(model.label_origin_[:, 0], [1, 2, 2])
    assert set(np.unique(model.labels_)) <= {-1, 0, 1, 2}
    assert np.all(model.labels_[:40] == 0) and np.all(model.labels_[40:] >= 1)


def test_generic_clusterer_without_predict(two_groups):
    X, _ = two_groups
    model = CLiMB(
        seeds=[[0.0, 0.0]],
        distance_threshold=1.0,
        exploratory=KMeans(2, n_init=1, random_state=0),
    ).fit(X)
    assert model.predict([[3.0, 3.0]])[0] >= 1


def test_set_params_is_chainable_and_nested(two_groups):
    X, _ = two_groups
    model = CLiMB(exploratory=DBSCAN())
    same = model.set_params(distance_threshold=1.0).set_params(exploratory__eps=0.3)
    assert same is model
    assert model.get_params()["exploratory__eps"] == 0.3
    model.set_params(seeds=[[0.0, 0.0]]).fit(X)
    assert model.strategy_.eps == 0.3
    alias = CLiMB(seeds=[[0.0, 0.0]], exploratory_params={"eps": 0.25}).fit(X)
    assert alias.strategy_.eps == 0.25


def test_semi_supervised_y_pins_rows(two_groups):
    X, _ = two_groups
    y = np.full(120, -1)
    y[:5] = 7
    model = CLiMB(distance_threshold=1.0).fit(X, y)
    assert np.all(model.labels_[:40] == 0)
    np.testing.assert_array_equal(model.kbound_.seed_classes_, [7])


def test_bad_exploratory_raises(two_groups):
    X, _ = two_groups
    with pytest.raises(ValueError, match="exploratory"):
        CLiMB(exploratory="kmeans").fit(X)
    with pytest.raises(TypeError, match="exploratory"):
        CLiMB(exploratory=3).fit(X)


def _state(model):
    return copy.deepcopy(
        {k: v for k, v in vars(model).items() if k not in ("strategy_", "kbound_")}
        | {"kb": vars(model.kbound_).copy()}
    )


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], dict):
            _assert_same(a[key], b[key])
        elif isinstance(a[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key])


@pytest.mark.parametrize("plot, dims", [(plot_climb_2d, (0, 1)), (plot_climb_3d, None)])
def test_plots_in_original_units_without_mutation(two_groups, plot, dims):
    X_raw, _ = two_groups
    X_raw = np.column_stack([X_raw * 1000 + 5e4, X_raw[:, 0] * 10])
    scaler = make_pipeline(StandardScaler()).fit(X_raw)
    X = scaler.transform(X_raw)
    model = CLiMB(seeds=[X[:40].mean(axis=0)], distance_threshold=1.0).fit(X)
    before = _state(model)
    kwargs = {} if dims is None else {"dims": dims}
    fig = plot(model, X, transformer=scaler, axis_labels=["E", "Lz", "Lp"], **kwargs)
    fig2 = plot(model, X, transformer=scaler, **kwargs)  # twice: no double transform
    _assert_same(before, _state(model))
    assert type(fig).__name__ == "Figure" and len(fig.axes) == 2
    xs = fig.axes[0].collections[1].get_offsets()[:, 0]
    assert xs.min() > 4e4  # original units of the first feature
    np.testing.assert_array_equal(
        fig2.axes[0].collections[1].get_offsets(),
        fig.axes[0].collections[1].get_offsets(),
    )
    assert fig.axes[0].get_xlabel() == "E"
    plt.close(fig)
    plt.close(fig2)
