"""Ensembles of regressors: one model per cross-validation fold, mean and spread."""

from skrrl.ensemble._kfold import KFoldEnsembleRegressor

__all__ = ["KFoldEnsembleRegressor"]
