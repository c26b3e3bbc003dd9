"""Regression metrics for [Fe/H] and other continuous targets, optionally weighted."""

import numpy as np
from scipy.spatial.distance import jensenshannon
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.utils.validation import check_consistent_length, column_or_1d

__all__ = [
    "bias",
    "jensen_shannon_divergence",
    "mae",
    "median_absolute_error",
    "rmse",
    "weighted_mae",
    "weighted_r2",
    "weighted_rmse",
]


def rmse(y_true, y_pred, *, sample_weight=None):
    r"""Root mean squared error.

    :math:`\mathrm{RMSE} = \sqrt{\sum_i w_i (\hat y_i - y_i)^2 / \sum_i w_i}`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights :math:`w_i`; ``None`` gives every row weight 1.

    Returns
    -------
    rmse : float
        ``sqrt(sklearn.metrics.mean_squared_error(...))``.

    Examples
    --------
    >>> from skrrl.metrics import rmse
    >>> rmse([0.0, 0.0], [3.0, -4.0])
    3.5355...
    """
    return float(
        np.sqrt(mean_squared_error(y_true, y_pred, sample_weight=sample_weight))
    )


def mae(y_true, y_pred, *, sample_weight=None):
    r"""Mean absolute error, :math:`\sum_i w_i |\hat y_i - y_i| / \sum_i w_i`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights; ``None`` gives every row weight 1.

    Returns
    -------
    mae : float
        ``sklearn.metrics.mean_absolute_error(...)``.

    Examples
    --------
    >>> from skrrl.metrics import mae
    >>> mae([0.0, 0.0], [3.0, -4.0])
    3.5
    """
    return float(mean_absolute_error(y_true, y_pred, sample_weight=sample_weight))


def _require_weights(sample_weight, name, unweighted):
    if sample_weight is None:
        raise ValueError(
            f"{name} needs sample_weight (typically 1/σ² of the true targets); "
            f"use {unweighted} for the unweighted metric."
        )
    return sample_weight


def weighted_rmse(y_true, y_pred, sample_weight):
    """Weighted RMSE (wRMSE of Monti et al. 2024), weights typically ``1/σ²``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    sample_weight : array-like of shape (n_samples,)
        Weights, required (usually the inverse variance of ``y_true``).

    Returns
    -------
    wrmse : float
        :func:`rmse` with ``sample_weight``.

    Examples
    --------
    >>> from skrrl.metrics import weighted_rmse
    >>> weighted_rmse([0.0, 0.0], [1.0, 3.0], sample_weight=[3.0, 1.0])
    1.7320...
    """
    _require_weights(sample_weight, "weighted_rmse", "rmse")
    return rmse(y_true, y_pred, sample_weight=sample_weight)


def weighted_mae(y_true, y_pred, sample_weight):
    """Weighted MAE (wMAE of Monti et al. 2024), weights typically ``1/σ²``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    sample_weight : array-like of shape (n_samples,)
        Weights, required.

    Returns
    -------
    wmae : float
        :func:`mae` with ``sample_weight``.

    Examples
    --------
    >>> from skrrl.metrics import weighted_mae
    >>> weighted_mae([0.0, 0.0], [1.0, 3.0], sample_weight=[3.0, 1.0])
    1.5
    """
    _require_weights(sample_weight, "weighted_mae", "mae")
    return mae(y_true, y_pred, sample_weight=sample_weight)


def weighted_r2(y_true, y_pred, sample_weight):
    r"""Weighted coefficient of determination.

    :math:`R^2 = 1 - \sum_i w_i (y_i - \hat y_i)^2 / \sum_i w_i (y_i - \bar y_w)^2`
    with the weighted mean :math:`\bar y_w`; the ``r2`` of Monti et al. (2024)
    is this weighted one.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    sample_weight : array-like of shape (n_samples,)
        Weights, required.

    Returns
    -------
    r2 : float
        ``sklearn.metrics.r2_score(..., sample_weight=sample_weight)``.

    Examples
    --------
    >>> from skrrl.metrics import weighted_r2
    >>> weighted_r2([0.0, 1.0, 2.0], [0.0, 1.0, 2.5], sample_weight=[1, 1, 2])
    0.8...
    """
    _require_weights(sample_weight, "weighted_r2", "sklearn.metrics.r2_score")
    return float(r2_score(y_true, y_pred, sample_weight=sample_weight))


def median_absolute_error(y_true, y_pred, *, sample_weight=None):
    r"""Median absolute error, optionally the weighted median.

    With sorted absolute errors :math:`e_{(1)} \le \dots \le e_{(n)}`, their
    weights :math:`w_{(k)}`, cumulative sums :math:`C_k` and total :math:`W`,
    the weighted median is the mean of the lower median, the first
    :math:`e_{(k)}` with :math:`C_k \ge W/2`, and the upper median, the first
    :math:`e_{(k)}` with :math:`C_k > W/2`. With equal weights this is exactly
    ``numpy.median`` (the mean of the two middle values for even ``n``).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative weights; ``None`` gives the ordinary median.

    Returns
    -------
    medae : float
        The (weighted) median of ``|y_pred - y_true|``.

    Examples
    --------
    >>> from skrrl.metrics import median_absolute_error
    >>> median_absolute_error([0, 0, 0, 0], [1, -2, 3, 4])
    2.5
    >>> median_absolute_error([0, 0, 0, 0], [1, -2, 3, 4], sample_weight=[1, 1, 1, 5])
    4.0
    """
    y_true, y_pred, weights = _check_pair(y_true, y_pred, sample_weight)
    errors = np.abs(y_pred - y_true)
    order = np.argsort(errors, kind="stable")
    errors, cumulative = errors[order], np.cumsum(weights[order])
    half = cumulative[-1] / 2.0
    lower = errors[np.searchsorted(cumulative, half, side="left")]
    upper = errors[np.searchsorted(cumulative, half, side="right")]
    return float((lower + upper) / 2.0)


def bias(y_true, y_pred, *, sample_weight=None):
    """Mean (weighted) residual ``y_pred - y_true``; positive means overestimates.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights; ``None`` gives every row weight 1.

    Returns
    -------
    bias : float
        ``numpy.average(y_pred - y_true, weights=sample_weight)``.

    Examples
    --------
    >>> from skrrl.metrics import bias
    >>> bias([0.0, 0.0], [1.0, -3.0])
    -1.0
    """
    y_true, y_pred, weights = _check_pair(y_true, y_pred, sample_weight)
    return float(np.average(y_pred - y_true, weights=weights))


def jensen_shannon_divergence(y_true, y_pred, *, bins="sqrt"):
    r"""Jensen–Shannon divergence between the true and predicted distributions.

    Dékány & Grebel (2022) report it to show how much a regressor narrows the
    [Fe/H] distribution. Both samples are histogrammed on common bin edges,
    ``numpy.histogram_bin_edges`` of the pooled values with ``bins``, giving
    probabilities :math:`p, q`, and

    .. math:: \mathrm{JSD}(p, q) = \tfrac12 \mathrm{KL}(p \| m)
              + \tfrac12 \mathrm{KL}(q \| m), \qquad m = (p + q)/2,

    in bits (base 2), so it lies in :math:`[0, 1]`: 0 for equal histograms, 1
    for disjoint ones. It is the square of
    :func:`scipy.spatial.distance.jensenshannon` with ``base=2``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True targets.
    y_pred : array-like of shape (n_samples,)
        Predicted targets.
    bins : int, str or sequence, default="sqrt"
        Bins as in :func:`numpy.histogram_bin_edges`.

    Returns
    -------
    jsd : float
        The divergence in bits.

    Examples
    --------
    >>> from skrrl.metrics import jensen_shannon_divergence
    >>> jensen_shannon_divergence([0.0, 0.1, 0.9, 1.0], [0.0, 0.1, 0.9, 1.0], bins=2)
    0.0
    >>> jensen_shannon_divergence([0.0, 0.1], [0.9, 1.0], bins=2)
    1.0
    """
    y_true, y_pred, _ = _check_pair(y_true, y_pred, None)
    edges = np.histogram_bin_edges(np.concatenate([y_true, y_pred]), bins=bins)
    p = np.histogram(y_true, bins=edges)[0].astype(float)
    q = np.histogram(y_pred, bins=edges)[0].astype(float)
    return float(jensenshannon(p, q, base=2) ** 2)


def _check_pair(y_true, y_pred, sample_weight):
    y_true = column_or_1d(np.asarray(y_true, dtype=float))
    y_pred = column_or_1d(np.asarray(y_pred, dtype=float))
    check_consistent_length(y_true, y_pred)
    if y_true.size == 0:
        raise ValueError("y_true and y_pred are empty.")
    if sample_weight is None:
        weights = np.ones_like(y_true)
    else:
        weights = column_or_1d(np.asarray(sample_weight, dtype=float))
        check_consistent_length(y_true, weights)
        if np.any(weights < 0) or not np.any(weights > 0):
            raise ValueError(
                "sample_weight must be non-negative with at least one non-zero weight."
            )
    return y_true, y_pred, weights
