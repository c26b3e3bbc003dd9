"""Regression metrics (weighted and unweighted), scorers and a report."""

from skrrl.metrics._regression import (
    bias,
    jensen_shannon_divergence,
    mae,
    median_absolute_error,
    rmse,
    weighted_mae,
    weighted_r2,
    weighted_rmse,
)
from skrrl.metrics._report import RegressionReport, regression_report
from skrrl.metrics._scorer import SCORERS, get_scorer, get_scorer_names, get_scorers

__all__ = [
    "SCORERS",
    "RegressionReport",
    "bias",
    "get_scorer",
    "get_scorer_names",
    "get_scorers",
    "jensen_shannon_divergence",
    "mae",
    "median_absolute_error",
    "regression_report",
    "rmse",
    "weighted_mae",
    "weighted_r2",
    "weighted_rmse",
]
