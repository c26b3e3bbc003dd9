"""DensityWeightedRegressor: fold-local weights, routing, CV and grid search."""

import pickle

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from skrrl.metrics import get_scorer
from skrrl.model_selection import RepeatedBinnedStratifiedKFold
from skrrl.weighting import DensityWeightedRegressor, KDEWeighter, kde_sample_weight

SEEN = []


class SpyWeighter(KDEWeighter):
    """Records the targets it is fitted on (clones share the module list)."""

    def fit_compute_weights(self, y, y_err=None, sample_weight=None):
        SEEN.append(np.array(y, copy=True))
        return super().fit_compute_weights(y, y_err, sample_weight)


@pytest.fixture(params=[False, True], ids=["routing-off", "routing-on"])
def routing(request):
    """Run the test with metadata routing off and on; config restored after."""
    with sklearn.config_context(enable_metadata_routing=request.param):
        yield request.param


@pytest.fixture
def data():
    rng = np.random.default_rng(42)
    n = 120
    X = rng.normal(size=(n, 4))
    y = -1.5 + X @ np.array([0.3, -0.2, 0.1, 0.05]) + rng.normal(0, 0.1, n)
    y_err = rng.uniform(0.05, 0.3, n)
    return X, y, y_err


def test_fit_equals_manual_weighted_ridge(data):
    X, y, y_err = data
    reg = DensityWeightedRegressor(regressor=Ridge(alpha=0.5)).fit(X, y)
    weights = kde_sample_weight(y)
    manual = Ridge(alpha=0.5).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(reg.weights_, weights)
    np.testing.assert_allclose(reg.predict(X), manual.predict(X))
    np.testing.assert_allclose(reg.regressor_.coef_, manual.coef_)


def test_sample_weight_is_inverse_variance_before_scaling(data):
    X, y, y_err = data
    reg = DensityWeightedRegressor().fit(X, y, sample_weight=1 / y_err**2)
    np.testing.assert_allclose(reg.weights_, kde_sample_weight(y, y_err))
    manual = Ridge().fit(X, y, sample_weight=kde_sample_weight(y, y_err))
    np.testing.assert_allclose(reg.predict(X), manual.predict(X))


def test_weights_change_the_fit(data):
    X, y, _ = data
    plain = Ridge(alpha=50.0).fit(X, y).predict(X)
    weighted = DensityWeightedRegressor(regressor=Ridge(alpha=50.0)).fit(X, y)
    assert not np.allclose(plain, weighted.predict(X))
    # sparse tails are up-weighted relative to the bulk
    tails = (y < np.quantile(y, 0.05)) | (y > np.quantile(y, 0.95))
    assert weighted.weights_[tails].mean() > 2 * weighted.weights_[~tails].mean()


def test_zero_weight_rows_equal_removal(data):
    X, y, y_err = data
    sw = np.ones_like(y)
    sw[::7] = 0
    reg = DensityWeightedRegressor().fit(X, y, sample_weight=sw)
    keep = sw > 0
    removed = DensityWeightedRegressor().fit(X[keep], y[keep])
    np.testing.assert_allclose(reg.predict(X), removed.predict(X))


def test_weights_come_from_training_fold_only(data, routing):
    X, y, y_err = data
    cv = RepeatedBinnedStratifiedKFold(n_splits=4, n_repeats=2, random_state=0)
    reg = DensityWeightedRegressor(regressor=Ridge(alpha=0.1), weighter=SpyWeighter())
    SEEN.clear()
    result = cross_validate(reg, X, y, cv=cv, return_estimator=True)
    folds = list(cv.split(X, y))
    assert len(SEEN) == len(folds) == 8
    for k, (train, test) in enumerate(folds):
        np.testing.assert_array_equal(SEEN[k], y[train])
        manual = Ridge(alpha=0.1).fit(
            X[train], y[train], sample_weight=kde_sample_weight(y[train])
        )
        est = result["estimator"][k]
        np.testing.assert_allclose(est.predict(X[test]), manual.predict(X[test]))
        assert result["test_score"][k] == pytest.approx(manual.score(X[test], y[test]))


def test_cross_validate_with_sample_weight_routing(data, routing):
    X, y, y_err = data
    sw = 1 / y_err**2
    cv = RepeatedBinnedStratifiedKFold(n_splits=4, n_repeats=2, random_state=1)
    reg = DensityWeightedRegressor(regressor=Ridge(alpha=0.1))
    if routing:
        reg.set_fit_request(sample_weight=True)
    scoring = {"rmse": get_scorer("neg_rmse"), "wrmse": get_scorer("neg_weighted_rmse")}
    if routing:
        result = cross_validate(
            reg, X, y, cv=cv, scoring=scoring, params={"sample_weight": sw}
        )
    else:
        # routing off: params go to fit only; the weighted scorer warns
        with pytest.warns(UserWarning, match="no sample_weight"):
            result = cross_validate(
                reg, X, y, cv=cv, scoring=scoring, params={"sample_weight": sw}
            )
    for k, (train, test) in enumerate(cv.split(X, y)):
        weights = kde_sample_weight(y[train], y_err[train])
        pred = Ridge(alpha=0.1).fit(X[train], y[train], weights).predict(X[test])
        resid = pred - y[test]
        expected_w = sw[test] if routing else np.ones(test.size)
        assert result["test_rmse"][k] == pytest.approx(-np.sqrt(np.mean(resid**2)))
        assert result["test_wrmse"][k] == pytest.approx(
            -np.sqrt(np.sum(expected_w * resid**2) / np.sum(expected_w))
        )


def test_grid_search_tunes_regressor_and_weighter(data, routing):
    X, y, y_err = data
    reg = DensityWeightedRegressor(regressor=Ridge(), weighter=KDEWeighter())
    if routing:
        reg.set_fit_request(sample_weight=True)
    grid = {"regressor__alpha": [0.01, 100.0], "weighter__bandwidth": ["scott", 0.2]}
    cv = RepeatedBinnedStratifiedKFold(n_splits=3, n_repeats=1, random_state=0)
    search = GridSearchCV(reg, grid, cv=cv, scoring=get_scorer("neg_rmse"))
    search.fit(X, y, sample_weight=1 / y_err**2)
    assert search.best_params_["regressor__alpha"] == 0.01  # little noise: small alpha
    best = search.best_estimator_
    assert best.weighter_.bandwidth == search.best_params_["weighter__bandwidth"]
    np.testing.assert_allclose(
        best.weights_,
        kde_sample_weight(
            y, y_err, bandwidth=search.best_params_["weighter__bandwidth"]
        ),
    )


def test_pipeline_as_regressor(data, routing):
    X, y, _ = data
    last = Ridge(alpha=0.3)
    if routing:
        last.set_fit_request(sample_weight=True)
    scaler = StandardScaler()
    if routing:
        # StandardScaler also accepts sample_weight: it must decline them
        scaler.set_fit_request(sample_weight=False)
    pipe = Pipeline([("scale", scaler), ("ridge", last)])
    reg = DensityWeightedRegressor(regressor=pipe).fit(X, y)
    scaled = StandardScaler().fit_transform(X)
    manual = Ridge(alpha=0.3).fit(scaled, y, sample_weight=kde_sample_weight(y))
    np.testing.assert_allclose(reg.predict(X), manual.predict(scaled))


def test_inside_pipeline_with_routing_on(data):
    X, y, y_err = data
    with sklearn.config_context(enable_metadata_routing=True):
        reg = DensityWeightedRegressor(regressor=Ridge()).set_fit_request(
            sample_weight=True
        )
        scaler = StandardScaler().set_fit_request(sample_weight=False)
        pipe = make_pipeline(scaler, reg)
        pipe.fit(X, y, sample_weight=1 / y_err**2)
    np.testing.assert_allclose(pipe[-1].weights_, kde_sample_weight(y, y_err))


def test_default_regressor_and_attributes(data):
    X, y, _ = data
    reg = DensityWeightedRegressor()
    assert not hasattr(reg, "n_features_in_")
    reg.fit(X, y)
    assert isinstance(reg.regressor_, Ridge) and reg.regressor is None
    assert isinstance(reg.weighter_, KDEWeighter) and reg.weighter is None
    assert reg.n_features_in_ == 4
    np.testing.assert_allclose(
        pickle.loads(pickle.dumps(reg)).predict(X[:5]), reg.predict(X[:5])
    )
    assert clone(reg).get_params()["regressor"] is None


def test_unweighted_regressor_without_sample_weight_fails_clearly(data):
    X, y, _ = data

    class NoWeights(LinearRegression):
        def fit(self, X, y):  # no sample_weight
            return super().fit(X, y)

    with pytest.raises(TypeError, match="sample_weight"):
        DensityWeightedRegressor(regressor=NoWeights()).fit(X, y)


def test_bad_sample_weight_shape(data):
    X, y, _ = data
    with pytest.raises(ValueError, match="sample_weight must have shape"):
        DensityWeightedRegressor().fit(X, y, sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="requires y"):
        DensityWeightedRegressor().fit(X, None)


def test_light_curve_frame_passes_through_untouched():
    from sklearn.preprocessing import FunctionTransformer

    from skrrl.frame import make_frame

    rng = np.random.default_rng(2)
    n = 60
    amplitude = rng.uniform(0.3, 1.2, n)
    period = rng.uniform(0.4, 0.8, n)
    times = [np.sort(rng.uniform(0, 100, 30)) for _ in range(n)]
    mags = [
        15 + a * np.sin(2 * np.pi * t / p) for a, t, p in zip(amplitude, times, period)
    ]
    frame = make_frame(times, mags, period)
    y = -1.5 + 2.0 * (period - 0.6) + rng.normal(0, 0.05, n)

    def features(X):
        return np.column_stack([X["period"], [np.ptp(m) for m in X["mag"]]])

    pipe = make_pipeline(FunctionTransformer(features), Ridge(alpha=1e-3))
    cv = RepeatedBinnedStratifiedKFold(n_splits=3, n_repeats=1, random_state=0)
    result = cross_validate(DensityWeightedRegressor(regressor=pipe), frame, y, cv=cv)
    assert np.all(result["test_score"] > 0.9)
