"""skrrl scorers in cross_validate, with and without sample_weight routing."""

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_validate

from skrrl.metrics import SCORERS, get_scorer, get_scorer_names, get_scorers


@pytest.fixture
def data():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, 3))
    y = X @ [0.4, -0.3, 0.2] - 1.4 + rng.normal(0, 0.2, 60)
    w = 1 / rng.uniform(0.05, 0.3, 60) ** 2
    return X, y, w


def manual_fold_scores(X, y, w_fit, w_score, cv):
    out = {name: [] for name in SCORERS}
    for train, test in cv.split(X, y):
        fit_kw = {} if w_fit is None else {"sample_weight": w_fit[train]}
        r = Ridge().fit(X[train], y[train], **fit_kw).predict(X[test]) - y[test]
        u = np.ones(test.size) if w_score is None else w_score[test]
        yt = y[test]
        ybar = np.sum(u * yt) / u.sum()
        out["neg_rmse"].append(-np.sqrt(np.mean(r**2)))
        out["neg_mae"].append(-np.mean(np.abs(r)))
        out["neg_median_absolute_error"].append(-np.median(np.abs(r)))
        out["neg_weighted_rmse"].append(-np.sqrt(np.sum(u * r**2) / u.sum()))
        out["neg_weighted_mae"].append(-np.sum(u * np.abs(r)) / u.sum())
        out["weighted_r2"].append(1 - np.sum(u * r**2) / np.sum(u * (yt - ybar) ** 2))
    return out


def test_names_and_fallback_to_sklearn():
    assert get_scorer_names() == sorted(SCORERS)
    assert set(get_scorers()) == set(SCORERS)
    assert get_scorer("r2") is not None  # scikit-learn's
    with pytest.raises(ValueError):
        get_scorer("no_such_scorer")


def test_cross_validate_routing_off(data):
    X, y, w = data
    cv = KFold(4, shuffle=True, random_state=0)
    with pytest.warns(UserWarning, match="no sample_weight"):
        result = cross_validate(
            Ridge(), X, y, cv=cv, scoring=get_scorers(), params={"sample_weight": w}
        )
    # routing off: the weights reach fit only; weighted scorers fall back
    expected = manual_fold_scores(X, y, w, None, cv)
    for name in SCORERS:
        np.testing.assert_allclose(result[f"test_{name}"], expected[name])


def test_cross_validate_routing_on(data):
    X, y, w = data
    cv = KFold(4, shuffle=True, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        scoring = get_scorers()  # built after routing is switched on
        est = Ridge().set_fit_request(sample_weight=True)
        result = cross_validate(
            est, X, y, cv=cv, scoring=scoring, params={"sample_weight": w}
        )
        unweighted_fit = cross_validate(
            Ridge().set_fit_request(sample_weight=False),
            X,
            y,
            cv=cv,
            scoring=get_scorers(),
            params={"sample_weight": w},
        )
    expected = manual_fold_scores(X, y, w, w, cv)
    for name in SCORERS:
        np.testing.assert_allclose(result[f"test_{name}"], expected[name])
    expected = manual_fold_scores(X, y, None, w, cv)
    for name in SCORERS:
        np.testing.assert_allclose(unweighted_fit[f"test_{name}"], expected[name])


def test_single_scorer_direct_call(data):
    X, y, w = data
    est = Ridge().fit(X, y)
    r = est.predict(X) - y
    assert get_scorer("neg_weighted_rmse")(est, X, y, sample_weight=w) == pytest.approx(
        -np.sqrt(np.sum(w * r**2) / w.sum())
    )
    assert get_scorer("neg_rmse")(est, X, y) == pytest.approx(-np.sqrt(np.mean(r**2)))


def test_scorers_and_searches_pickle(data):
    import pickle

    from sklearn.model_selection import GridSearchCV

    X, y, w = data
    est = Ridge().fit(X, y)
    for name in SCORERS:
        scorer = pickle.loads(pickle.dumps(get_scorer(name)))
        assert scorer(est, X, y, sample_weight=w) == get_scorer(name)(
            est, X, y, sample_weight=w
        )
    search = GridSearchCV(
        Ridge(), {"alpha": [0.1, 1.0]}, scoring=get_scorer("weighted_r2"), cv=3
    )
    with pytest.warns(UserWarning, match="no sample_weight"):
        search.fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_allclose(restored.predict(X), search.predict(X))
    assert "weighted_r2" in repr(get_scorer("weighted_r2"))
