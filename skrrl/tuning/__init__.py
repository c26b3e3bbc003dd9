"""Hyperparameter search with Optuna: search spaces as data, cross-validated trials.

Optuna is imported when :func:`tune` runs (or an optuna distribution is used),
not when this subpackage is imported.
"""

from skrrl.tuning._optuna import TuneResult, tune
from skrrl.tuning._spaces import (
    SEARCH_SPACES,
    decode_params,
    get_search_space,
    suggest_params,
)

__all__ = [
    "SEARCH_SPACES",
    "TuneResult",
    "decode_params",
    "get_search_space",
    "suggest_params",
    "tune",
]
