"""sktime adapters: ``BaseRegressor`` classes around the skrrl neural regressors.

Importing this subpackage imports sktime (an optional heavy dependency); plain
``import skrrl`` never does.
"""

from skrrl.sktime._adapter import (
    InceptionTimeSktimeRegressor,
    SkrrlSktimeRegressor,
    TransformerSktimeRegressor,
)

__all__ = [
    "InceptionTimeSktimeRegressor",
    "SkrrlSktimeRegressor",
    "TransformerSktimeRegressor",
]
