"""scikit-learn's API checks over every public skrrl estimator taking arrays."""

import importlib

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skrrl.utils._testing import (
    EXPECTED_FAILED,
    INIT_PARAMS,
    NON_ARRAY_ESTIMATORS,
    all_estimators,
)

PUBLIC_PACKAGES = [
    "skrrl.cluster",
    "skrrl.datasets",
    "skrrl.ensemble",
    "skrrl.metrics",
    "skrrl.model_selection",
    "skrrl.neural",
    "skrrl.preprocessing",
    "skrrl.tuning",
    "skrrl.weighting",
]


def _tested_estimators():
    for name, cls in all_estimators():
        if name in NON_ARRAY_ESTIMATORS:
            continue
        params = INIT_PARAMS.get(name, {})
        for kwargs in params if isinstance(params, list) else [params]:
            yield cls(**kwargs)


def _expected_failed(estimator):
    return EXPECTED_FAILED.get(type(estimator).__name__, {})


@parametrize_with_checks(
    list(_tested_estimators()), expected_failed_checks=_expected_failed
)
def test_sklearn_api(estimator, check):
    check(estimator)


def test_every_estimator_has_test_settings():
    """New estimators must be registered, so their checks stay fast and seeded."""
    missing = [
        name
        for name, _ in all_estimators()
        if name not in INIT_PARAMS and name not in NON_ARRAY_ESTIMATORS
    ]
    assert not missing, f"add INIT_PARAMS entries in skrrl/utils/_testing.py: {missing}"


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_public_names_import(package):
    module = importlib.import_module(package)
    for name in getattr(module, "__all__", []):
        getattr(module, name)
