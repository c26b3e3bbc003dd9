"""sktime adapters: sktime's own estimator checks and panel conversion."""

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sktime.utils.estimator_checks import check_estimator  # noqa: E402

from skrrl.neural import GRURegressor  # noqa: E402
from skrrl.sktime import (  # noqa: E402
    InceptionTimeSktimeRegressor,
    SkrrlSktimeRegressor,
    TransformerSktimeRegressor,
)
from skrrl.sktime._adapter import to_padded_numpy3d  # noqa: E402


def _failures(cls):
    results = check_estimator(cls, raise_exceptions=False, verbose=False)
    assert len(results) > 50  # the suite really ran
    return {k: v for k, v in results.items() if v != "PASSED"}


def test_sktime_check_estimator_generic():
    assert _failures(SkrrlSktimeRegressor) == {}


@pytest.mark.slow
@pytest.mark.parametrize(
    "cls", [InceptionTimeSktimeRegressor, TransformerSktimeRegressor]
)
def test_sktime_check_estimator_named(cls):
    assert _failures(cls) == {}


@pytest.mark.parametrize(
    ("cls", "name"),
    [
        (SkrrlSktimeRegressor, "GRURegressor"),
        (InceptionTimeSktimeRegressor, "InceptionTimeRegressor"),
        (TransformerSktimeRegressor, "TransformerRegressor"),
    ],
)
def test_test_params_wrap_the_named_architecture(cls, name):
    params = cls.get_test_params()
    assert len(params) >= 2
    assert all(type(p["estimator"]).__name__ == name for p in params)


def test_to_padded_numpy3d_unequal_multivariate():
    index = pd.MultiIndex.from_tuples(
        [("a", 0), ("a", 1), ("a", 2), ("b", 0), ("b", 1)], names=["id", "t"]
    )
    X = pd.DataFrame({"p": [1.0, 2, 3, 4, 5], "m": [6.0, 7, 8, 9, 10]}, index=index)
    expected = np.array(
        [[[1, 2, 3], [6, 7, 8]], [[4, 5, np.nan], [9, 10, np.nan]]], dtype=float
    )
    np.testing.assert_array_equal(to_padded_numpy3d(X), expected)


def _panel(lengths, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for i, n in enumerate(lengths):
        for t in range(n):
            rows.append((i, t, *rng.normal(size=2)))
    frame = pd.DataFrame(rows, columns=["id", "t", "c0", "c1"])
    return frame.set_index(["id", "t"])


def test_unequal_length_panel_matches_the_skrrl_estimator():
    # the adapter must hand exactly the NaN-padded array to the skrrl regressor
    lengths = [12, 9, 15, 7, 15, 10, 11, 8, 13, 14]
    X = _panel(lengths)
    y = np.linspace(-2, 0, len(lengths))
    est = GRURegressor(hidden_sizes=(3,), dropout=0.0, max_epochs=2, random_state=0)
    reg = SkrrlSktimeRegressor(estimator=est).fit(X, y)
    X_test = _panel([5, 11, 6], seed=1)
    direct = GRURegressor(**est.get_params()).fit(to_padded_numpy3d(X), y)
    padded = to_padded_numpy3d(X_test)
    padded = np.pad(padded, ((0, 0), (0, 0), (0, 4)), constant_values=np.nan)
    np.testing.assert_allclose(reg.predict(X_test), direct.predict(padded), rtol=1e-6)
    assert reg.estimator_ is not est  # cloned, the user's object stays unfitted
    assert not hasattr(est, "net_")
