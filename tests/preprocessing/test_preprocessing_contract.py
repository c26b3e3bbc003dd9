"""scikit-learn contract of the frame-consuming transformers.

scikit-learn's ``check_estimator`` cannot feed light-curve frames, so these tests
cover the equivalent ground: clone, get/set_params, pickling, fit/transform
contracts, pipelines and ``cross_validate``.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.model_selection import cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from skrrl.datasets import make_rrlyrae
from skrrl.preprocessing import (
    FourierFeatures,
    PhaseFolder,
    ShapePriorResampler,
    SplineResampler,
)
from skrrl.utils._testing import NON_ARRAY_ESTIMATORS

ESTIMATORS = [
    PhaseFolder(n_harmonics=3, add_phase_time=True),
    SplineResampler(n_points=32, n_knots=12),
    ShapePriorResampler(n_points=32, n_harmonics=4),
    FourierFeatures(n_harmonics=3, convention="sine"),
]
IDS = [type(e).__name__ for e in ESTIMATORS]


@pytest.fixture(scope="module")
def data():
    frame, y, _ = make_rrlyrae(60, kind="ab", random_state=0)
    return frame, PhaseFolder().fit_transform(frame), y


def _input(est, data):
    frame, folded, _ = data
    resampler = isinstance(est, (SplineResampler, ShapePriorResampler))
    return folded if resampler else frame


def _same_output(a, b):
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    else:
        assert list(a.columns) == list(b.columns)
        for col in ("phase", "mag", "time"):
            for x, y in zip(a[col], b[col]):
                np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_registered_as_frame_consumer(est):
    assert "consumes a light-curve frame" in NON_ARRAY_ESTIMATORS[type(est).__name__]


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_clone_and_params_round_trip(est):
    params = est.get_params()
    twin = clone(est)
    assert twin is not est and twin.get_params() == params
    default = type(est)()
    assert default.set_params(**params).get_params() == params
    # __init__ stores its arguments unchanged
    for name, value in params.items():
        assert getattr(est, name) is value


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_fit_returns_self_and_transform_needs_fit(est, data):
    X = _input(est, data)
    est = clone(est)
    with pytest.raises(NotFittedError):
        est.transform(X)
    assert est.fit(X) is est
    assert est.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(est.feature_names_in_, X.columns)
    _same_output(est.transform(X), clone(est).fit_transform(X))


@pytest.mark.parametrize("est", ESTIMATORS, ids=IDS)
def test_pickle_round_trip(est, data):
    X = _input(est, data)
    fitted = clone(est).fit(X)
    restored = pickle.loads(pickle.dumps(fitted))
    _same_output(fitted.transform(X), restored.transform(X))


def test_fitted_attributes_of_resampler(data):
    _, folded, _ = data
    sr = SplineResampler(n_points=40).fit(folded)
    assert sr.n_points_ == 40 and sr.grid_.shape == (40,)
    assert sr.channels_ == ("phase_time", "mag")
    # a refit forgets the old grid
    sr.set_params(n_points=10).fit(folded)
    assert sr.grid_.shape == (10,) and sr.transform(folded).shape == (60, 2, 10)


def test_transform_does_not_modify_input(data):
    frame, folded, _ = data
    before = [a.copy() for a in frame["time"]]
    PhaseFolder().fit_transform(frame)
    SplineResampler().fit_transform(folded)
    for a, b in zip(frame["time"], before):
        np.testing.assert_array_equal(a, b)
    assert "phase" not in frame.columns


def test_fourier_features_names():
    ff = FourierFeatures(n_harmonics=2)
    with pytest.raises(NotFittedError):
        ff.get_feature_names_out()


def test_pipeline_folds_and_resamples(data):
    frame, _, _ = data
    pipe = Pipeline([("fold", PhaseFolder()), ("spline", SplineResampler())])
    X = pipe.fit_transform(frame)
    assert X.shape == (60, 2, 264) and np.isfinite(X).all()
    np.testing.assert_array_equal(X, clone(pipe).fit(frame).transform(frame))


def _flatten(X):
    return X.reshape(len(X), -1)


def test_cross_validate_pipeline_with_ridge():
    frame, y, _ = make_rrlyrae(120, kind="ab", feh_scatter=0.1, random_state=1)
    pipe = Pipeline(
        [
            ("fold", PhaseFolder()),
            ("spline", SplineResampler(channels=("mag",), n_points=64)),
            ("flatten", FunctionTransformer(_flatten)),
            ("ridge", Ridge(alpha=1.0)),
        ]
    )
    scores = cross_validate(pipe, frame, y, cv=3, scoring="neg_root_mean_squared_error")
    rmse = -scores["test_score"]
    assert rmse.shape == (3,) and np.isfinite(rmse).all()
    # the light-curve shape carries the metallicity: better than predicting the mean
    assert rmse.mean() < 0.8 * np.std(y)


def _period_r21_phi31(X):
    # columns of FourierFeatures(n_harmonics=3): period, A0, A1-3, R21, R31,
    # phi21, phi31
    return X[:, [0, 5, 8]]


def test_cross_validate_fourier_features():
    # a linear P-phi31-R21 relation, as in Li et al. (2023)
    frame, y, _ = make_rrlyrae(120, kind="ab", feh_scatter=0.1, random_state=2)
    pipe = Pipeline(
        [
            ("ff", FourierFeatures(n_harmonics=3)),
            ("select", FunctionTransformer(_period_r21_phi31)),
            ("ridge", Ridge(alpha=1e-6)),
        ]
    )
    scores = cross_validate(pipe, frame, y, cv=3, scoring="neg_root_mean_squared_error")
    assert -scores["test_score"].mean() < 0.6 * np.std(y)
