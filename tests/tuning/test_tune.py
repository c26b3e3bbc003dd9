"""Optuna tuning: search spaces as data, cross-validated objective, storage, pruning."""

import numpy as np
import optuna
import pytest
import sklearn
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skrrl.model_selection import BinnedStratifiedKFold
from skrrl.tuning import (
    SEARCH_SPACES,
    decode_params,
    get_search_space,
    suggest_params,
    tune,
)
from skrrl.weighting import DensityWeightedRegressor, kde_sample_weight

ALPHA = {"alpha": {"type": "float", "low": 1e-4, "high": 1e4, "log": True}}


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    y = X @ [0.5, -0.3, 0.2, 0.1] - 1.5 + rng.normal(0, 0.05, 80)
    return X, y


def test_objective_is_the_cross_validated_score(data):
    X, y = data
    cv = KFold(4, shuffle=True, random_state=0)
    result = tune(Ridge(), X, y, space=ALPHA, cv=cv, n_trials=6, random_state=0)
    assert len(result.study.trials) == 6
    for trial in result.study.trials:
        expected = cross_val_score(Ridge(alpha=trial.params["alpha"]), X, y, cv=cv)
        assert trial.value == pytest.approx(expected.mean())
        np.testing.assert_allclose(trial.user_attrs["fold_scores"], expected)
    best = max(result.study.trials, key=lambda t: t.value)
    assert result.best_params == {"alpha": best.params["alpha"]}
    assert result.best_score == pytest.approx(best.value)
    refit = Ridge(alpha=best.params["alpha"]).fit(X, y)
    np.testing.assert_allclose(result.best_estimator.coef_, refit.coef_)


def test_reproducible_and_finds_small_alpha(data):
    X, y = data
    first = tune(Ridge(), X, y, space=ALPHA, n_trials=12, random_state=3)
    second = tune(Ridge(), X, y, space=ALPHA, n_trials=12, random_state=3)
    assert [t.params for t in first.study.trials] == [
        t.params for t in second.study.trials
    ]
    # little noise: strong shrinkage is clearly worse
    assert first.best_params["alpha"] < 10


def test_default_space_and_binned_cv(data):
    X, y = data
    result = tune(Ridge(), X, y, n_trials=3, random_state=0, refit=False)
    assert result.best_estimator is None
    trial = result.study.trials[0]
    cv = BinnedStratifiedKFold(5, random_state=0)
    expected = cross_val_score(Ridge(alpha=trial.params["alpha"]), X, y, cv=cv)
    assert trial.value == pytest.approx(expected.mean())


def test_storage_resume(data, tmp_path):
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    X, y = data
    # a journal file: the multi-process storage without a database server
    url = JournalStorage(JournalFileBackend(str(tmp_path / "study.log")))
    kwargs = {"space": ALPHA, "storage": url, "study_name": "ridge", "refit": False}
    tune(Ridge(), X, y, n_trials=2, random_state=0, **kwargs)
    resumed = tune(
        Ridge(), X, y, n_trials=2, load_if_exists=True, random_state=1, **kwargs
    )
    assert len(resumed.study.trials) == 4
    loaded = optuna.load_study(study_name="ridge", storage=url)
    assert len(loaded.trials) == 4


def test_pruner_stops_bad_trials_after_first_fold(data):
    X, y = data
    space = {"alpha": {"type": "categorical", "choices": [1e-3, 1e5]}}
    sampler = optuna.samplers.GridSampler({"alpha": ["0.001", "100000.0"] * 1})
    result = tune(
        Ridge(),
        X,
        y,
        space=space,
        n_trials=2,
        sampler=sampler,
        pruner=optuna.pruners.ThresholdPruner(lower=0.5),
        random_state=0,
    )
    states = {
        t.params["alpha"]: t.state for t in result.study.trials
    }  # labels as stored
    assert states["0.001"] == optuna.trial.TrialState.COMPLETE
    assert states["100000.0"] == optuna.trial.TrialState.PRUNED
    pruned = next(t for t in result.study.trials if t.params["alpha"] == "100000.0")
    assert list(pruned.intermediate_values) == [0]  # stopped after one fold
    assert result.best_params == {"alpha": 1e-3}


def test_categorical_tuples_roundtrip():
    space = {"sizes": {"type": "categorical", "choices": [(8,), (16, 8)]}}
    trial = optuna.trial.FixedTrial({"sizes": "(16, 8)"})
    assert suggest_params(trial, space) == {"sizes": (16, 8)}
    assert decode_params(space, {"sizes": "(8,)"}) == {"sizes": (8,)}
    dist = {"sizes": optuna.distributions.CategoricalDistribution(["a", "b"])}
    assert suggest_params(optuna.trial.FixedTrial({"sizes": "b"}), dist) == {
        "sizes": "b"
    }
    with pytest.raises(ValueError, match="type"):
        suggest_params(trial, {"sizes": {"type": "uniform"}})
    with pytest.raises(TypeError, match="optuna distribution"):
        suggest_params(trial, {"sizes": [1, 2]})


def test_search_space_lookup():
    pipe = make_pipeline(StandardScaler(), Ridge())
    assert list(get_search_space(pipe)) == ["ridge__alpha"]
    dwr = DensityWeightedRegressor(regressor=Ridge())
    assert list(get_search_space(dwr)) == ["regressor__alpha"]
    with pytest.raises(KeyError, match="No default search space"):
        get_search_space(StandardScaler())


def test_default_spaces_name_real_parameters():
    import importlib

    for key, space in SEARCH_SPACES.items():
        module, name = key.rsplit(".", 1)
        cls = getattr(importlib.import_module(module), name)
        assert set(space) <= set(cls().get_params()), key
        trial = optuna.trial.FixedTrial(
            {
                p: (str(s["choices"][0]) if s["type"] == "categorical" else s["low"])
                for p, s in space.items()
            }
        )
        cls().set_params(**suggest_params(trial, space))


@pytest.mark.parametrize("routing", [False, True])
def test_sample_weight_reaches_fit_and_refit(data, routing):
    X, y = data
    w = np.random.default_rng(1).uniform(1, 50, y.size)
    cv = KFold(3, shuffle=True, random_state=0)
    space = {"regressor__alpha": ALPHA["alpha"]}
    with sklearn.config_context(enable_metadata_routing=routing):
        est = DensityWeightedRegressor(regressor=Ridge())
        if routing:
            # the default scoring, est.score, also accepts sample_weight
            est.set_fit_request(sample_weight=True).set_score_request(
                sample_weight=False
            )
        result = tune(
            est, X, y, space=space, cv=cv, n_trials=2, params={"sample_weight": w}
        )
    alpha = result.best_params["regressor__alpha"]
    manual = Ridge(alpha=alpha).fit(
        X, y, sample_weight=kde_sample_weight(y, sample_weight=w)
    )
    np.testing.assert_allclose(result.best_estimator.predict(X), manual.predict(X))
    assert clone(result.best_estimator).get_params()["regressor__alpha"] == alpha
