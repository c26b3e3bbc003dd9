"""The light-curve frame: definition, validation and conversions.

Raw light curves are ragged (20-250 epochs per star) and carry per-star scalars
(period, epoch of maximum light). scikit-learn splits data by rows, so skrrl keeps
raw light curves in a :class:`pandas.DataFrame` with **one row per star**:

============  ======================================  ==============================
column        kind                                    meaning
============  ======================================  ==============================
index         int64, named ``source_id``              Gaia DR3 source_id (or any id)
``time``      array column (float64 ndarray per row)  time, days (Gaia: BJD_TCB -
                                                      2455197.5)
``mag``       array column                            magnitude
``mag_err``   array column, optional                  magnitude error
``period``    float                                   pulsation period, days
``epoch``     float, optional                         epoch of maximum light
``phase``     array column, optional                  written by PhaseFolder
============  ======================================  ==============================

Arrays of one row have equal length and are sorted by time (by phase after
folding). Any further scalar columns (labels, errors, Fourier parameters) are kept
as they are.

Every reader in :mod:`skrrl.datasets` produces this frame and every frame-consuming
transformer validates it with :func:`validate_frame`, which names the offending
``source_id`` and the problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "ARRAY_COLUMNS",
    "make_frame",
    "validate_frame",
    "is_frame",
    "frame_from_long",
    "frame_to_long",
    "to_ragged",
    "from_ragged",
    "lengths",
]

#: Columns that hold one float64 array per star, in their canonical order.
ARRAY_COLUMNS = ("time", "mag", "mag_err", "phase")


def _as_float_array(value, column, source_id):
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"source_id={source_id}: column {column!r} must hold an array of numbers, "
            f"got {type(value).__name__}"
        ) from exc
    if arr.ndim != 1:
        raise ValueError(
            f"source_id={source_id}: column {column!r} must hold a 1-D array, "
            f"got shape {arr.shape}"
        )
    return arr


def make_frame(
    time: Sequence,
    mag: Sequence,
    period=None,
    *,
    source_id=None,
    mag_err: Sequence | None = None,
    epoch=None,
    sort: bool = True,
    **scalars,
) -> pd.DataFrame:
    """Build a validated light-curve frame from per-star arrays.

    Parameters
    ----------
    time : sequence of array-like
        Observation times of each star, days.
    mag : sequence of array-like
        Magnitudes of each star, same lengths as ``time``.
    period : array-like of shape (n_stars,), default=None
        Pulsation periods, days. Required by :class:`~skrrl.preprocessing.PhaseFolder`
        but not by the frame itself.
    source_id : array-like of shape (n_stars,), default=None
        Star identifiers. Defaults to ``0 .. n_stars - 1``.
    mag_err : sequence of array-like, default=None
        Magnitude errors.
    epoch : array-like of shape (n_stars,), default=None
        Epochs of maximum light, same time scale as ``time``.
    sort : bool, default=True
        Sort every star's epochs by time. With ``False`` unsorted input raises.
    **scalars : array-like of shape (n_stars,)
        Further per-star scalar columns, kept unchanged (e.g. ``feh``).

    Returns
    -------
    frame : pandas.DataFrame
        One row per star, index named ``source_id``.

    Examples
    --------
    >>> from skrrl.frame import make_frame
    >>> frame = make_frame([[0.3, 0.1, 0.2]], [[15.1, 15.0, 15.2]], period=[0.55])
    >>> frame.loc[0, "time"]
    array([0.1, 0.2, 0.3])
    >>> frame.loc[0, "mag"]
    array([15. , 15.2, 15.1])
    """
    n = len(time)
    if len(mag) != n:
        raise ValueError(f"time has {n} stars but mag has {len(mag)}")
    ids = np.arange(n) if source_id is None else np.asarray(source_id)
    if len(ids) != n:
        raise ValueError(f"source_id has {len(ids)} entries for {n} stars")
    columns = {"time": time, "mag": mag}
    if mag_err is not None:
        if len(mag_err) != n:
            raise ValueError(f"mag_err has {len(mag_err)} stars for {n}")
        columns["mag_err"] = mag_err
    data = {}
    for name, values in columns.items():
        col = np.empty(n, dtype=object)
        for i, v in enumerate(values):
            col[i] = _as_float_array(v, name, ids[i])
        data[name] = col
    if sort:
        for i in range(n):
            order = np.argsort(data["time"][i], kind="stable")
            if np.any(order[1:] < order[:-1]):
                for name in data:
                    if len(data[name][i]) == len(order):
                        data[name][i] = data[name][i][order]
    for name, values in (("period", period), ("epoch", epoch), *scalars.items()):
        if values is None:
            continue
        values = np.asarray(values)
        if values.shape != (n,):
            raise ValueError(f"{name} must have shape ({n},), got {values.shape}")
        if name in ("period", "epoch"):
            values = values.astype(np.float64)
        data[name] = values
    frame = pd.DataFrame(data, index=pd.Index(ids, name="source_id"))
    return validate_frame(frame, require_period=False)


def is_frame(X) -> bool:
    """Return True when ``X`` looks like a light-curve frame.

    Parameters
    ----------
    X : object
        Anything.

    Returns
    -------
    bool
        Whether ``X`` is a DataFrame with array columns ``time`` and ``mag``.
    """
    return isinstance(X, pd.DataFrame) and "time" in X.columns and "mag" in X.columns


def lengths(frame: pd.DataFrame, column: str = "time") -> np.ndarray:
    """Number of epochs of every star.

    Parameters
    ----------
    frame : pandas.DataFrame
        A light-curve frame.
    column : str, default="time"
        Array column to measure.

    Returns
    -------
    ndarray of shape (n_stars,), dtype int64
    """
    return np.fromiter(
        (len(a) for a in frame[column].to_numpy()), dtype=np.int64, count=len(frame)
    )


def to_ragged(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate one array column into a flat array with offsets.

    Parameters
    ----------
    frame : pandas.DataFrame
        A light-curve frame.
    column : str
        Array column, e.g. ``"mag"``.

    Returns
    -------
    values : ndarray of shape (n_epochs_total,)
        All arrays, star after star.
    offsets : ndarray of shape (n_stars + 1,)
        Star ``i`` owns ``values[offsets[i]:offsets[i + 1]]``.

    Examples
    --------
    >>> from skrrl.frame import make_frame, to_ragged
    >>> frame = make_frame([[0.0, 1.0], [0.5]], [[1.0, 2.0], [3.0]])
    >>> values, offsets = to_ragged(frame, "mag")
    >>> values, offsets
    (array([1., 2., 3.]), array([0, 2, 3]))
    """
    arrays = frame[column].to_numpy()
    n = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum(n, out=offsets[1:])
    if len(arrays) == 0:
        return np.empty(0), offsets
    return np.concatenate(arrays).astype(np.float64, copy=False), offsets


def from_ragged(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Split a flat array back into an object array of per-star arrays.

    Parameters
    ----------
    values : ndarray of shape (n_epochs_total,)
        Concatenated values.
    offsets : ndarray of shape (n_stars + 1,)
        Boundaries as returned by :func:`to_ragged`.

    Returns
    -------
    ndarray of shape (n_stars,), dtype object
        One float64 array per star (views into ``values``).
    """
    out = np.empty(len(offsets) - 1, dtype=object)
    bounds = np.asarray(offsets).tolist()
    # plain slicing: several times faster than np.split for 10^5+ stars
    for i in range(len(out)):
        out[i] = values[bounds[i] : bounds[i + 1]]
    return out


def validate_frame(
    frame,
    *,
    require_period: bool = True,
    require_epoch: bool = False,
    min_epochs: int = 1,
    array_columns: Iterable[str] | None = None,
    check_sorted: str | None = "time",
    require_time: bool = True,
) -> pd.DataFrame:
    """Check a light-curve frame and raise an error naming the offending star.

    Checks: it is a DataFrame with ``time`` and ``mag``; array columns of one row
    have equal length; no NaN/inf in times, magnitudes or errors; times strictly
    increasing (no duplicates); period present, finite and positive; epoch finite
    when present; at least ``min_epochs`` epochs per star.

    Parameters
    ----------
    frame : pandas.DataFrame
        The frame to check.
    require_period : bool, default=True
        Whether a valid ``period`` column is required.
    require_epoch : bool, default=False
        Whether a finite ``epoch`` column is required.
    min_epochs : int, default=1
        Minimum number of epochs per star for the requested operation.
    array_columns : iterable of str, default=None
        Array columns to check. Defaults to those of :data:`ARRAY_COLUMNS` present.
    check_sorted : str or None, default="time"
        Array column that must be strictly increasing within each row.
    require_time : bool, default=True
        Whether a ``time`` column is required. Phase-only frames (already folded
        data without time stamps, e.g. :func:`~skrrl.datasets.fetch_dekany2022`)
        pass False.

    Returns
    -------
    frame : pandas.DataFrame
        The same object, unchanged.

    Raises
    ------
    TypeError
        If ``frame`` is not a DataFrame.
    ValueError
        On the first problem found, naming the ``source_id``.

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.frame import make_frame, validate_frame
    >>> frame = make_frame([[0.1, 0.2]], [[15.0, np.nan]], period=[0.5])
    Traceback (most recent call last):
    ...
    ValueError: source_id=0: column 'mag' has 1 NaN/inf value(s)
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            "expected a light-curve frame (pandas.DataFrame with one row per star and "
            f"array columns 'time' and 'mag'), got {type(frame).__name__}"
        )
    needed = ("time", "mag") if require_time else ("mag",)
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(
            f"light-curve frame lacks column(s) {missing}; it has {list(frame.columns)}"
        )
    ids = frame.index.to_numpy()
    cols = [c for c in (array_columns or ARRAY_COLUMNS) if c in frame.columns]
    n_ref = None
    for col in cols:
        arrays = frame[col].to_numpy()
        for i, a in enumerate(arrays):
            if not isinstance(a, np.ndarray) or a.ndim != 1:
                _as_float_array(a, col, ids[i])  # raises for non-arrays
                arrays[i] = np.asarray(a, dtype=np.float64)
        n = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
        if n_ref is None:
            n_ref, ref_col = n, col
        else:
            bad = np.flatnonzero(n != n_ref)
            if bad.size:
                i = bad[0]
                raise ValueError(
                    f"source_id={ids[i]}: arrays of unequal length in one row: "
                    f"{ref_col!r} has {n_ref[i]} values but {col!r} has {n[i]}"
                )
        if len(arrays) == 0:
            continue
        values = np.concatenate(arrays).astype(np.float64, copy=False)
        finite = np.isfinite(values)
        if not finite.all():
            star = np.searchsorted(np.cumsum(n), np.flatnonzero(~finite)[0], "right")
            n_bad = int((~np.isfinite(arrays[star].astype(np.float64))).sum())
            raise ValueError(
                f"source_id={ids[star]}: column {col!r} has {n_bad} NaN/inf value(s)"
            )
        if col == check_sorted and values.size > 1:
            step = np.diff(values)
            boundary = np.zeros(values.size - 1, dtype=bool)
            ends = np.cumsum(n)[:-1] - 1
            boundary[ends[(ends >= 0) & (ends < values.size - 1)]] = True
            bad = np.flatnonzero((step <= 0) & ~boundary)
            if bad.size:
                star = np.searchsorted(np.cumsum(n), bad[0], "right")
                kind = "duplicated" if step[bad[0]] == 0 else "unsorted"
                raise ValueError(
                    f"source_id={ids[star]}: {kind} times in column {col!r}; times "
                    "must be strictly increasing (sort them, and merge or drop "
                    "duplicated epochs)"
                )
    if n_ref is not None and min_epochs > 1:
        bad = np.flatnonzero(n_ref < min_epochs)
        if bad.size:
            i = bad[0]
            raise ValueError(
                f"source_id={ids[i]}: {n_ref[i]} epochs, fewer than the {min_epochs} "
                f"this operation needs ({bad.size} star(s) affected)"
            )
    for name, required in (("period", require_period), ("epoch", require_epoch)):
        if name not in frame.columns:
            if required:
                raise ValueError(
                    f"light-curve frame lacks the {name!r} column needed here"
                )
            continue
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(np.float64)
        bad = ~np.isfinite(values)
        if name == "period":
            bad |= ~(values > 0)
            if not required:
                bad &= ~np.isnan(values)
        elif not required:
            bad &= ~np.isnan(values)
        if bad.any():
            i = np.flatnonzero(bad)[0]
            what = "non-positive or missing" if name == "period" else "missing"
            raise ValueError(
                f"source_id={ids[i]}: {what} {name} ({values[i]!r}); "
                f"{int(bad.sum())} star(s) affected"
            )
    return frame


def frame_from_long(
    table,
    *,
    id_column: str = "source_id",
    time_column: str = "time",
    mag_column: str = "mag",
    err_column: str | None = None,
) -> pd.DataFrame:
    """Group a long table (one row per epoch) into a light-curve frame.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per observation.
    id_column, time_column, mag_column : str
        Names of the star id, time and magnitude columns.
    err_column : str, default=None
        Name of the magnitude-error column, if any.

    Returns
    -------
    frame : pandas.DataFrame
        One row per star with array columns ``time``, ``mag`` (and ``mag_err``),
        sorted by time, stars in order of first appearance.

    Examples
    --------
    >>> import pandas as pd
    >>> from skrrl.frame import frame_from_long
    >>> long = pd.DataFrame({"source_id": [7, 7, 3], "time": [2.0, 1.0, 5.0],
    ...                      "mag": [10.0, 11.0, 12.0]})
    >>> frame_from_long(long).loc[7, "mag"]
    array([11., 10.])
    """
    ids = table[id_column].to_numpy()
    uniq, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    order_of_star = np.argsort(np.argsort(first, kind="stable"), kind="stable")
    key = order_of_star[inverse.ravel()]
    t = table[time_column].to_numpy(np.float64)
    order = np.lexsort((t, key))
    counts = np.bincount(key, minlength=len(uniq))
    offsets = np.concatenate(([0], np.cumsum(counts)))
    data = {"time": from_ragged(t[order], offsets)}
    data["mag"] = from_ragged(table[mag_column].to_numpy(np.float64)[order], offsets)
    if err_column is not None:
        err = table[err_column].to_numpy(np.float64)[order]
        data["mag_err"] = from_ragged(err, offsets)
    star_ids = uniq[np.argsort(first, kind="stable")]
    return pd.DataFrame(data, index=pd.Index(star_ids, name="source_id"))


def frame_to_long(frame: pd.DataFrame) -> pd.DataFrame:
    """Explode a light-curve frame into a long table (one row per epoch).

    Parameters
    ----------
    frame : pandas.DataFrame
        A light-curve frame.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``source_id`` and every array column present; per-star scalar
        columns are repeated on each row.

    Examples
    --------
    >>> from skrrl.frame import make_frame, frame_to_long
    >>> frame = make_frame([[0.0, 1.0]], [[15.0, 15.5]], period=[0.6])
    >>> frame_to_long(frame)
       source_id  time   mag  period
    0          0   0.0  15.0     0.6
    1          0   1.0  15.5     0.6
    """
    arrays = [c for c in ARRAY_COLUMNS if c in frame.columns]
    n = lengths(frame, arrays[0])
    out = {"source_id": np.repeat(frame.index.to_numpy(), n)}
    for col in arrays:
        out[col] = to_ragged(frame, col)[0]
    for col in frame.columns:
        if col not in arrays:
            out[col] = np.repeat(frame[col].to_numpy(), n)
    return pd.DataFrame(out)
