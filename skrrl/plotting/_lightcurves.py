"""Folded light curves with their resampled (smoothed) curves."""

import numpy as np


def plot_light_curves(frame, resampled=None, *, n_stars=6, grid=None, ncols=3):
    """Plot folded light curves (magnitude axis inverted), optionally with fits.

    Parameters
    ----------
    frame : pandas.DataFrame
        Light-curve frame with a ``phase`` column (output of
        :class:`~skrrl.preprocessing.PhaseFolder`).
    resampled : ndarray of shape (n_stars, n_channels, n_points), default=None
        Output of :class:`~skrrl.preprocessing.SplineResampler`; its last channel
        (magnitude minus mean magnitude) is drawn over the points.
    n_stars : int, default=6
        Number of stars (the first rows) to draw.
    grid : ndarray of shape (n_points,), default=None
        Phases of the resampled points; ``linspace(0, 1, n_points, endpoint=False)``
        when None.
    ncols : int, default=3
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.frame import make_frame
    >>> from skrrl.plotting import plot_light_curves
    >>> frame = make_frame([[0.1, 0.4, 0.8]], [[15.0, 15.3, 15.2]], period=[0.6])
    >>> frame["phase"] = frame["time"]
    >>> fig = plot_light_curves(frame)
    >>> len(fig.axes)
    1
    """
    import matplotlib.pyplot as plt

    if "phase" not in frame.columns:
        raise ValueError("frame has no 'phase' column: apply PhaseFolder first")
    n = min(n_stars, len(frame))
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(3.6 * ncols, 2.8 * nrows), squeeze=False
    )
    for i, axis in enumerate(axes.ravel()):
        if i >= n:
            axis.set_visible(False)
            continue
        row = frame.iloc[i]
        phase, mag = np.asarray(row["phase"]), np.asarray(row["mag"])
        mean = mag.mean()
        axis.plot(np.r_[phase, phase + 1], np.r_[mag, mag] - mean, ".", ms=4)
        if resampled is not None:
            curve = resampled[i, -1]
            x = np.linspace(0, 1, curve.size, endpoint=False) if grid is None else grid
            axis.plot(np.r_[x, x + 1], np.r_[curve, curve], "-", lw=1.2)
        axis.invert_yaxis()
        title = f"{frame.index[i]}"
        if "period" in frame.columns:
            title += f"  P = {row['period']:.4f} d"
        axis.set_title(title, fontsize=9)
        axis.set_xlabel("phase")
        axis.set_ylabel("G - <G> (mag)")
    fig.tight_layout()
    return fig
