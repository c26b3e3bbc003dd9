"""Predicted-vs-true [Fe/H] figure with residual statistics."""

import numpy as np


def plot_predicted_vs_true(y_true, predictions, *, sample_weight=None, ax=None):
    """Scatter of predicted against true [Fe/H], one panel per model.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True [Fe/H].
    predictions : array-like of shape (n_samples,) or dict of str to array-like
        Predictions of one model, or ``{model name: predictions}``.
    sample_weight : array-like of shape (n_samples,), default=None
        Weights for the quoted weighted RMSE (e.g. 1/sigma^2).
    ax : matplotlib Axes or array of Axes, default=None
        Axes to draw on, one per model; new ones when None.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.plotting import plot_predicted_vs_true
    >>> y = np.linspace(-2.5, 0, 50)
    >>> fig = plot_predicted_vs_true(y, {"perfect": y, "offset": y + 0.1})
    >>> len(fig.axes)
    2
    """
    import matplotlib.pyplot as plt

    if not isinstance(predictions, dict):
        predictions = {"model": predictions}
    y_true = np.asarray(y_true, dtype=float)
    n = len(predictions)
    if ax is None:
        fig, axes = plt.subplots(
            1, n, figsize=(4.2 * n, 4.2), squeeze=False, sharex=True, sharey=True
        )
        axes = axes.ravel()
    else:
        axes = np.atleast_1d(ax)
        fig = axes[0].figure
    lo, hi = np.nanmin(y_true) - 0.2, np.nanmax(y_true) + 0.2
    for axis, (name, pred) in zip(axes, predictions.items()):
        pred = np.asarray(pred, dtype=float)
        resid = pred - y_true
        w = np.ones_like(resid) if sample_weight is None else np.asarray(sample_weight)
        rmse = np.sqrt(np.average(resid**2, weights=w))
        axis.plot([lo, hi], [lo, hi], color="0.4", lw=1, zorder=0)
        axis.scatter(y_true, pred, s=6, alpha=0.5, edgecolor="none")
        label = "wRMSE" if sample_weight is not None else "RMSE"
        axis.set_title(f"{name}\n{label} = {rmse:.3f} dex, bias = {resid.mean():+.3f}")
        axis.set_xlabel("true [Fe/H]")
        axis.set_xlim(lo, hi)
        axis.set_ylim(lo, hi)
        axis.set_aspect("equal")
    axes[0].set_ylabel("predicted [Fe/H]")
    fig.tight_layout()
    return fig
