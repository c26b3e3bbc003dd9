"""KFoldEnsembleRegressor: fold models, mean and spread, routing, errors."""

import numpy as np
import pytest
import sklearn
import torch
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import KFold

from skrrl.ensemble import KFoldEnsembleRegressor
from skrrl.model_selection import BinnedStratifiedKFold
from skrrl.neural import GRURegressor


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.3, size=50)
    return X, y


def test_mean_std_and_out_of_fold_match_hand_refits(data):
    X, y = data
    cv = KFold(5, shuffle=True, random_state=0)
    ens = KFoldEnsembleRegressor(Ridge(alpha=1.0), cv=cv).fit(X, y)
    splits = list(cv.split(X))
    refits = [Ridge(alpha=1.0).fit(X[tr], y[tr]) for tr, _ in splits]
    preds = np.stack([m.predict(X) for m in refits])
    mean, std = ens.predict(X, return_std=True)
    np.testing.assert_allclose(mean, preds.mean(axis=0))
    np.testing.assert_allclose(std, preds.std(axis=0))
    np.testing.assert_allclose(ens.predict(X), mean)
    oof = np.empty(len(y))
    for model, (_, test) in zip(refits, splits):
        oof[test] = model.predict(X[test])
    np.testing.assert_allclose(ens.oof_prediction_, oof)


def test_int_cv_is_binned_stratified(data):
    X, y = data
    ens = KFoldEnsembleRegressor(LinearRegression(), cv=5, random_state=3).fit(X, y)
    assert len(ens.estimators_) == 5
    splits = BinnedStratifiedKFold(5, shuffle=True, random_state=3).split(X, y)
    for model, (train, _) in zip(ens.estimators_, splits):
        np.testing.assert_allclose(
            model.coef_, LinearRegression().fit(X[train], y[train]).coef_
        )


def test_sample_weight_split_per_fold_routing_off_and_on(data):
    X, y = data
    w = np.random.RandomState(1).uniform(0, 2, size=len(y))
    cv = KFold(4)
    ens = KFoldEnsembleRegressor(Ridge(), cv=cv).fit(X, y, sample_weight=w)
    for model, (train, _) in zip(ens.estimators_, cv.split(X)):
        ref = Ridge().fit(X[train], y[train], sample_weight=w[train])
        np.testing.assert_allclose(model.coef_, ref.coef_)
    with sklearn.config_context(enable_metadata_routing=True):
        routed = KFoldEnsembleRegressor(
            Ridge().set_fit_request(sample_weight=True), cv=cv
        ).fit(X, y, sample_weight=w)
        np.testing.assert_allclose(routed.predict(X), ens.predict(X))
        with pytest.raises(ValueError, match="sample_weight"):
            KFoldEnsembleRegressor(Ridge(), cv=cv).fit(X, y, sample_weight=w)


def test_bad_input_raises(data):
    X, y = data
    with pytest.raises(ValueError, match="4 sample\\(s\\), fewer than the cv=5 folds"):
        KFoldEnsembleRegressor(Ridge(), cv=5).fit(X[:4], y[:4])
    y_nan = y.copy()
    y_nan[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        KFoldEnsembleRegressor(Ridge(), cv=3).fit(X, y_nan)


def test_default_estimator_is_gru_and_works_on_series():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        rng = np.random.RandomState(0)
        X = rng.normal(size=(30, 2, 8))
        X[:5, :, 6:] = np.nan  # padded series pass through to the fold models
        y = np.nanmean(X[:, 0], axis=1)
        gru = GRURegressor(
            hidden_sizes=(3,), dropout=0.0, max_epochs=2, random_state=0, device="cpu"
        )
        ens = KFoldEnsembleRegressor(gru, cv=3, random_state=0).fit(X, y)
        mean, std = ens.predict(X, return_std=True)
        assert mean.shape == std.shape == (30,) and (std > 0).all()
        assert np.isfinite(ens.oof_prediction_).all()
        assert isinstance(KFoldEnsembleRegressor()._estimator(), GRURegressor)
    finally:
        torch.set_num_threads(n)


def test_light_curve_frames_through_a_pipeline():
    from sklearn.pipeline import make_pipeline

    from skrrl.datasets import make_rrlyrae
    from skrrl.preprocessing import PhaseFolder, SplineResampler

    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        frame, y, _ = make_rrlyrae(30, random_state=0)
        pipe = make_pipeline(
            PhaseFolder(),
            SplineResampler(n_points=16),
            GRURegressor(
                hidden_sizes=(3,),
                dropout=0.0,
                max_epochs=2,
                random_state=0,
                device="cpu",
            ),
        )
        ens = KFoldEnsembleRegressor(pipe, cv=3, random_state=0).fit(frame, y)
        mean, std = ens.predict(frame.iloc[:4], return_std=True)
        assert mean.shape == (4,) and (std > 0).all()
        np.testing.assert_array_equal(ens.feature_names_in_, frame.columns)
    finally:
        torch.set_num_threads(n)
