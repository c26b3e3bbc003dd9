"""Input checks and output channels shared by the resamplers.

SplineResampler and ShapePriorResampler both read a folded light-curve frame and
write ``(n_stars, n_channels, n_points)`` arrays on the grid ``j / n_points``.
"""

import numpy as np
import pandas as pd

CHANNELS = ("phase_time", "phase", "mag", "mag_raw")

#: The fitted attributes both resamplers share, for their docstrings.
RESAMPLER_ATTRIBUTES = """grid_ : ndarray of shape (n_points,)
        The evaluation phases.
    n_points_ : int
        Grid size.
    channels_ : tuple of str
        Output channels.
    n_features_in_ : int
        Number of columns of the frame seen in ``fit``.
    feature_names_in_ : ndarray of str
        Columns of the frame seen in ``fit``."""


def check_folded(X, name, columns):
    """Raise a ValueError unless X is a frame with the array ``columns``."""
    if isinstance(X, pd.DataFrame) and set(columns) <= set(X.columns):
        return
    got = (
        f"columns {list(X.columns)}"
        if isinstance(X, pd.DataFrame)
        else type(X).__name__
    )
    quoted = " and ".join(f"'{c}'" for c in columns)
    raise ValueError(
        f"{name} needs a folded light-curve frame with {quoted} array columns "
        f"(got {got}); apply PhaseFolder first, e.g. "
        f"make_pipeline(PhaseFolder(), {name}())"
    )


def check_channels(channels):
    """The requested channels as a tuple; a ValueError for unknown or none."""
    channels = (channels,) if isinstance(channels, str) else channels
    bad = [c for c in channels if c not in CHANNELS]
    if bad or not len(channels):
        raise ValueError(
            f"channels must be a non-empty sequence of {CHANNELS}, got {channels!r}"
        )
    return tuple(channels)


def stack_channels(channels, grid, period, mag, mag_raw):
    """Stack the requested channels of resampled curves.

    Parameters
    ----------
    channels : tuple of str
        From :data:`CHANNELS`.
    grid : ndarray of shape (n_points,)
        Grid phases.
    period : ndarray of shape (n_stars,) or None
        Periods (needed for ``"phase_time"``).
    mag, mag_raw : ndarray of shape (n_stars, n_points)
        The curves without and with their mean magnitude.

    Returns
    -------
    ndarray of shape (n_stars, len(channels), n_points)
    """
    out = np.empty((len(mag), len(channels), len(grid)))
    for i, name in enumerate(channels):
        if name == "phase_time":
            out[:, i] = np.asarray(period, dtype=np.float64)[:, None] * grid
        elif name == "phase":
            out[:, i] = grid
        elif name == "mag":
            out[:, i] = mag
        else:
            out[:, i] = mag_raw
    return out


def set_layout(estimator, X, channels):
    """Store a resampler's fitted output layout: channels, grid, input columns."""
    estimator.channels_ = channels
    estimator.n_points_ = int(estimator.n_points)
    estimator.grid_ = np.arange(estimator.n_points_) / estimator.n_points_
    estimator.n_features_in_ = X.shape[1]
    estimator.feature_names_in_ = np.asarray(X.columns, dtype=object)
