"""A deep regressor behind PhaseFolder and SplineResampler, in CV and grid search."""

import numpy as np
import pytest
import sklearn
import torch
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import Pipeline

from skrrl.datasets import make_rrlyrae
from skrrl.model_selection import RepeatedBinnedStratifiedKFold
from skrrl.neural import GRURegressor
from skrrl.preprocessing import PhaseFolder, SplineResampler


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


@pytest.fixture(scope="module")
def stars():
    frame, y, _ = make_rrlyrae(60, random_state=0)
    return frame, y


def _pipe():
    return Pipeline(
        [
            ("fold", PhaseFolder()),
            ("spline", SplineResampler(n_points=24)),
            (
                "gru",
                GRURegressor(
                    hidden_sizes=(4,),
                    dropout=0.0,
                    max_epochs=2,
                    batch_size=16,
                    random_state=0,
                    device="cpu",
                ),
            ),
        ]
    )


@pytest.mark.parametrize("routing", [False, True])
def test_cross_validate_and_grid_search_with_weights(stars, routing):
    frame, y = stars
    w = np.random.RandomState(0).uniform(0.1, 1.0, size=len(y))
    cv = RepeatedBinnedStratifiedKFold(
        n_splits=3, n_repeats=2, bin_size=10, random_state=0
    )
    with sklearn.config_context(enable_metadata_routing=routing):
        pipe = _pipe()
        scoring = get_scorer("neg_root_mean_squared_error")
        if routing:
            gru = pipe.named_steps["gru"]
            gru.set_fit_request(sample_weight=True).set_score_request(
                sample_weight=True
            )
            scoring = scoring.set_score_request(sample_weight=True)
            params = {"sample_weight": w}
        else:
            params = {"gru__sample_weight": w}
        res = cross_validate(
            pipe,
            frame,
            y,
            cv=cv,
            params=params,
            return_estimator=True,
            scoring=scoring,
        )
        assert len(res["test_score"]) == 6 and np.isfinite(res["test_score"]).all()
        first_fold = res["estimator"][0].predict(frame)
        search = GridSearchCV(
            pipe, {"gru__hidden_sizes": [(3,), (4,)]}, cv=cv, refit=True
        ).fit(frame, y, **params)
        assert search.best_estimator_.predict(frame).shape == (len(y),)
        assert search.best_estimator_.named_steps["gru"].n_timepoints_ == 24
    # each fold model is the weighted fit on its training rows
    train, _ = next(cv.split(frame, y))
    direct = _pipe().fit(frame.iloc[train], y[train], gru__sample_weight=w[train])
    np.testing.assert_array_equal(first_fold, direct.predict(frame))
    unweighted = _pipe().fit(frame.iloc[train], y[train])
    assert not np.array_equal(first_fold, unweighted.predict(frame))
