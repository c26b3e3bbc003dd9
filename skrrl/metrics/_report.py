"""All regression metrics of a prediction in one report."""

import numpy as np
from sklearn.metrics import r2_score

from skrrl.metrics._regression import (
    _check_pair,
    bias,
    jensen_shannon_divergence,
    mae,
    median_absolute_error,
    rmse,
    weighted_mae,
    weighted_r2,
    weighted_rmse,
)

__all__ = ["RegressionReport", "regression_report"]


class RegressionReport(dict):
    """A ``dict`` of metric name -> value that prints as a table.

    Examples
    --------
    >>> from skrrl.metrics import RegressionReport
    >>> print(RegressionReport(n=3, rmse=0.25))
    metric  value
    n           3
    rmse   0.2500
    """

    def __str__(self):
        width = max(len("metric"), *(len(key) for key in self))
        lines = [f"{'metric':<{width}}  value"]
        for key, value in self.items():
            text = f"{value:d}" if isinstance(value, int) else f"{value:.4f}"
            lines.append(f"{key:<{width}} {text:>6}")
        return "\n".join(lines)

    def to_frame(self, name=None):
        """One-row :class:`pandas.DataFrame` (metrics as columns).

        Parameters
        ----------
        name : str, default=None
            Index label of the row, e.g. the model name.

        Returns
        -------
        frame : pandas.DataFrame
            Concatenate the frames of several models to compare them.
        """
        import pandas as pd

        return pd.DataFrame([dict(self)], index=[name])


def regression_report(y_true, y_pred, sample_weight=None, *, bins="sqrt"):
    """Every regression metric of a prediction, as one report.

    Keys, in order: ``n`` (rows), ``bias`` (mean of ``y_pred - y_true``),
    ``rmse``, ``mae``, ``median_absolute_error``, ``r2`` (all unweighted),
    ``jensen_shannon`` (divergence of the true and predicted histograms, in
    bits), then, when ``sample_weight`` is given, ``weighted_bias``,
    ``weighted_rmse``, ``weighted_mae``, ``weighted_median_absolute_error`` and
    ``weighted_r2``. This is the metric set of Monti et al. (2024) (weighted
    with ``1/σ²``) plus the median absolute error and the Jensen–Shannon
    divergence of Dékány & Grebel (2022).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets, e.g. pooled out-of-fold predictions.
    sample_weight : array-like of shape (n_samples,), default=None
        Evaluation weights, typically ``1/σ²`` of ``y_true``.
    bins : int, str or sequence, default="sqrt"
        Histogram bins of the Jensen–Shannon divergence.

    Returns
    -------
    report : RegressionReport
        A ``dict`` whose ``str`` is a table and with ``to_frame()``.

    See Also
    --------
    get_scorer : The same metrics as cross-validation scorers.

    Examples
    --------
    >>> from skrrl.metrics import regression_report
    >>> report = regression_report([0.0, 1.0, 2.0, 3.0], [0.5, 1.0, 2.0, 2.5])
    >>> report["rmse"], report["bias"], report["n"]
    (0.3535..., 0.0, 4)
    >>> print(report)  # doctest: +ELLIPSIS
    metric                 value
    n                          4
    bias                  0.0000
    rmse                  0.3536
    ...
    """
    y_true, y_pred, _ = _check_pair(y_true, y_pred, sample_weight)
    report = RegressionReport(
        n=int(y_true.size),
        bias=bias(y_true, y_pred),
        rmse=rmse(y_true, y_pred),
        mae=mae(y_true, y_pred),
        median_absolute_error=median_absolute_error(y_true, y_pred),
        r2=float(r2_score(y_true, y_pred)) if y_true.size > 1 else np.nan,
        jensen_shannon=jensen_shannon_divergence(y_true, y_pred, bins=bins),
    )
    if sample_weight is not None:
        w = sample_weight
        report.update(
            weighted_bias=bias(y_true, y_pred, sample_weight=w),
            weighted_rmse=weighted_rmse(y_true, y_pred, sample_weight=w),
            weighted_mae=weighted_mae(y_true, y_pred, sample_weight=w),
            weighted_median_absolute_error=median_absolute_error(
                y_true, y_pred, sample_weight=w
            ),
            weighted_r2=weighted_r2(y_true, y_pred, sample_weight=w)
            if y_true.size > 1
            else np.nan,
        )
    return report
