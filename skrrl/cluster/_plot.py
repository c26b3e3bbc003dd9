"""Two-panel figures of a fitted CLiMB model (phase 1 | phase 2), 2-D and 3-D.

The figures are drawn from copies: the fitted model is never modified (the
original ``CLiMB.inverse_transform`` rescaled the stored arrays in place).
"""

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted


def _prepare(model, X, transformer):
    check_is_fitted(model)
    X = check_array(X, dtype=np.float64)
    if X.shape[0] != model.labels_.shape[0]:
        raise ValueError(
            f"X has {X.shape[0]} rows but the model was fitted on "
            f"{model.labels_.shape[0]}; pass the training data."
        )
    km = model.kbound_ if hasattr(model, "kbound_") else model
    start = np.array(km.initial_centers_, copy=True)
    final = np.array(km.cluster_centers_, copy=True)
    if transformer is not None:
        # inverse_transform returns new arrays; nothing stored is touched
        X, start, final = (transformer.inverse_transform(a) for a in (X, start, final))
    phase1 = np.array(km.labels_, copy=True)
    phase2 = np.array(getattr(model, "phase2_labels_", np.full_like(phase1, -1)))
    return np.asarray(X), np.asarray(start), np.asarray(final), phase1, phase2


def _labels_for(axis_labels, dims):
    if axis_labels is None:
        return [f"feature {d}" for d in dims]
    return [
        axis_labels[d] if len(axis_labels) > max(dims) else axis_labels[i]
        for i, d in enumerate(dims)
    ]


def _draw(fig, X, start, final, phase1, phase2, dims, names, projection):
    kw = {} if projection is None else {"projection": projection}
    ax1 = fig.add_subplot(1, 2, 1, **kw)
    ax2 = fig.add_subplot(1, 2, 2, **kw)

    def scatter(ax, pts, **style):
        ax.scatter(*(pts[:, d] for d in dims), **style)

    kept = phase1 >= 0
    scatter(ax1, X[~kept], c="lightgrey", s=4, label="unassigned")
    scatter(ax1, X[kept], c=phase1[kept], cmap="tab10", s=6)
    scatter(ax1, start, marker="x", c="k", s=80, label="initial centroids")
    scatter(ax1, final, marker="^", c="red", s=80, label="final centroids")
    ax1.set_title("Phase 1: KBound")
    rest = ~kept
    found = rest & (phase2 >= 0)
    scatter(ax2, X[rest & (phase2 < 0)], c="lightgrey", s=4, label="noise")
    scatter(ax2, X[found], c=phase2[found], cmap="tab20", s=6)
    ax2.set_title("Phase 2: exploratory")
    for ax in (ax1, ax2):
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
        if projection == "3d":
            ax.set_zlabel(names[2])
        ax.legend(loc="best", fontsize="small")
    return fig


def plot_climb_2d(
    model, X, *, dims=(0, 1), transformer=None, axis_labels=None, figsize=(12, 5)
):
    """Phase-1 and phase-2 panels of a fitted model in two dimensions.

    The left panel colours the phase-1 clusters and marks the initial (x) and
    final (triangle) centroids; the right panel colours the phase-2 clusters of
    the rows phase 1 left out.

    Parameters
    ----------
    model : CLiMB or KBound
        Fitted model.
    X : array-like of shape (n_samples, n_features)
        The data the model was fitted on.
    dims : tuple of int, default=(0, 1)
        Feature indices on the x and y axes.
    transformer : fitted transformer or Pipeline, default=None
        Its ``inverse_transform`` maps points and centroids back to original
        units (e.g. the ``StandardScaler`` used before fitting). Copies are
        transformed; the model is not changed.
    axis_labels : sequence of str or None, default=None
        Names of all features (indexed by ``dims``) or of the plotted ones.
    figsize : tuple, default=(12, 5)
        Figure size in inches.

    Returns
    -------
    fig : matplotlib.figure.Figure
        A new pyplot figure (not shown, not saved; close it when done).

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.cluster import CLiMB, plot_climb_2d
    >>> X = np.random.RandomState(0).normal(size=(60, 2))
    >>> model = CLiMB(n_clusters=2, random_state=0).fit(X)
    >>> fig = plot_climb_2d(model, X)
    >>> len(fig.axes)
    2
    """
    import matplotlib.pyplot as plt

    dims = tuple(dims)
    if len(dims) != 2:
        raise ValueError(f"dims must name 2 features; got {dims}.")
    X, start, final, p1, p2 = _prepare(model, X, transformer)
    fig = plt.figure(figsize=figsize, layout="constrained")
    return _draw(
        fig, X, start, final, p1, p2, dims, _labels_for(axis_labels, dims), None
    )


def plot_climb_3d(
    model, X, *, dims=(0, 1, 2), transformer=None, axis_labels=None, figsize=(14, 6)
):
    """Phase-1 and phase-2 panels of a fitted model in three dimensions.

    Parameters
    ----------
    model : CLiMB or KBound
        Fitted model.
    X : array-like of shape (n_samples, n_features)
        The data the model was fitted on.
    dims : tuple of int, default=(0, 1, 2)
        Feature indices on the x, y and z axes.
    transformer : fitted transformer or Pipeline, default=None
        Its ``inverse_transform`` maps copies back to original units.
    axis_labels : sequence of str or None, default=None
        Names of all features (indexed by ``dims``) or of the plotted ones.
    figsize : tuple, default=(14, 6)
        Figure size in inches.

    Returns
    -------
    fig : matplotlib.figure.Figure
        A new pyplot figure (not shown, not saved; close it when done).

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.cluster import CLiMB, plot_climb_3d
    >>> X = np.random.RandomState(0).normal(size=(60, 3))
    >>> fig = plot_climb_3d(CLiMB(n_clusters=2, random_state=0).fit(X), X)
    >>> fig.axes[0].name
    '3d'
    """
    import matplotlib.pyplot as plt

    dims = tuple(dims)
    if len(dims) != 3:
        raise ValueError(f"dims must name 3 features; got {dims}.")
    X, start, final, p1, p2 = _prepare(model, X, transformer)
    fig = plt.figure(figsize=figsize, layout="constrained")
    return _draw(
        fig, X, start, final, p1, p2, dims, _labels_for(axis_labels, dims), "3d"
    )
