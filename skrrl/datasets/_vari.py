"""Reader of the Gaia DR3 ``vari_rrlyrae`` table and its join with light curves."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from skrrl.datasets._table_io import as_float, as_str, read_columns
from skrrl.frame import validate_frame

__all__ = ["read_vari_rrlyrae"]

#: Columns attached to a light-curve frame by default (when present).
JOIN_COLUMNS = (
    "period",
    "epoch",
    "best_classification",
    "r21_g",
    "r31_g",
    "phi21_g",
    "phi31_g",
    "metallicity",
    "metallicity_error",
)
_ON_MISSING = ("warn", "raise", "keep")


def _catalogue(source, format):
    if isinstance(source, pd.DataFrame) and "period" in source.columns:
        if source.index.name == "source_id":
            return source  # already read by read_vari_rrlyrae
    if isinstance(source, pd.DataFrame) and source.index.name == "source_id":
        source = source.reset_index()
    parts = []
    for name, cols in read_columns(source, format):
        if "source_id" not in cols:
            raise ValueError(
                f"{name}: a vari_rrlyrae table needs a 'source_id' column; columns "
                f"found: {sorted(cols)[:30]}"
            )
        missing = [c for c in ("pf", "p1_o") if c not in cols]
        if len(missing) == 2:
            raise ValueError(
                f"{name}: a vari_rrlyrae table needs a period column 'pf' (RRab) or "
                f"'p1_o' (RRc/RRd); columns found: {sorted(cols)[:30]}"
            )
        parts.append(pd.DataFrame(cols))
    table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    table["source_id"] = table["source_id"].astype(np.int64)
    dup = table["source_id"].duplicated()
    if dup.any():
        raise ValueError(
            f"source_id={table['source_id'][dup].iloc[0]}: {int(dup.sum())} duplicated "
            "row(s) in the vari_rrlyrae table"
        )
    n = len(table)
    pf = as_float(table["pf"]) if "pf" in table else np.full(n, np.nan)
    p1o = as_float(table["p1_o"]) if "p1_o" in table else np.full(n, np.nan)
    if "best_classification" in table:
        kind = as_str(table["best_classification"])
        table["best_classification"] = np.where(
            kind == "",
            None,
            [{"RRAB": "RRab", "RRC": "RRc", "RRD": "RRd"}.get(k, k) for k in kind],
        )
        overtone = np.isin(kind, ("RRC", "RRD"))
        known = kind != ""
        fallback = np.where(np.isfinite(pf), pf, p1o)
        period = np.where(known, np.where(overtone, p1o, pf), fallback)
    else:
        period = np.where(np.isfinite(pf), pf, p1o)
    table.insert(1, "period", period)
    epoch = as_float(table["epoch_g"]) if "epoch_g" in table else np.full(n, np.nan)
    table.insert(2, "epoch", epoch)
    return table.set_index("source_id")


def _attach(frame, catalogue, columns, on_missing):
    validate_frame(frame, require_period=False)
    if columns is None:
        columns = [c for c in JOIN_COLUMNS if c in catalogue.columns]
    elif columns == "all":
        columns = [
            c
            for c in catalogue.columns
            if not any(isinstance(v, np.ndarray | list) for v in catalogue[c][:5])
        ]
    else:
        absent = [c for c in columns if c not in catalogue.columns]
        if absent:
            raise ValueError(f"columns {absent} are not in the catalogue")
    ids = frame.index
    found = ids.isin(catalogue.index)
    period = np.full(len(frame), np.nan)
    period[found] = catalogue.loc[ids[found], "period"].to_numpy(np.float64)
    bad = ~np.isfinite(period)
    if bad.any():
        no_row = ~found
        first = ids[np.flatnonzero(bad)[0]]
        what = (
            f"{int(no_row.sum())} star(s) of the light-curve frame have no row in "
            f"the vari_rrlyrae catalogue"
            if no_row.any()
            else ""
        )
        nan_period = bad & found
        if nan_period.any():
            what += ("; " if what else "") + (
                f"{int(nan_period.sum())} star(s) have a missing period (pf/p1_o)"
            )
        if on_missing == "raise":
            raise ValueError(f"source_id={first}: {what} (e.g. source_id={first})")
        if on_missing == "warn":
            warnings.warn(
                f"{what}; dropped {int(bad.sum())} star(s), e.g. source_id={first}",
                UserWarning,
                stacklevel=3,
            )
            frame = frame.loc[~bad]
            ids = frame.index
    out = frame.copy()
    joined = catalogue.reindex(ids)
    for col in columns:
        out[col] = joined[col].to_numpy()
    validate_frame(out, require_period=on_missing != "keep")
    return out


def read_vari_rrlyrae(
    source, *, frame=None, columns=None, on_missing="warn", format=None
):
    """Read the Gaia DR3 ``vari_rrlyrae`` table, optionally joined to light curves.

    Parameters
    ----------
    source : path-like, astropy Table, DataFrame, dict or list
        The ``vari_rrlyrae`` table (or a subset of its columns) in any format that
        :func:`~skrrl.datasets.read_gaia_epoch_photometry` reads: VOTable, ECSV,
        CSV (gzip too), FITS, an astropy ``Table`` or a pandas ``DataFrame``.
        Needs ``source_id`` and ``pf`` and/or ``p1_o``.
    frame : pandas.DataFrame, default=None
        A light-curve frame. When given, its stars get the catalogue's
        ``period``, ``epoch`` and the ``columns`` below, and that frame is
        returned instead of the catalogue.
    columns : list of str or "all", default=None
        Catalogue columns attached to ``frame``; None attaches ``period``,
        ``epoch``, ``best_classification``, the G-band Fourier parameters
        ``r21_g, r31_g, phi21_g, phi31_g``, ``metallicity`` and
        ``metallicity_error`` (those present). ``"all"`` attaches every scalar
        column. Ignored without ``frame``.
    on_missing : {"warn", "raise", "keep"}, default="warn"
        What to do with stars of ``frame`` that have no catalogue row or no
        period: drop them with a warning giving their number and one
        ``source_id``; raise a ValueError naming one; or keep them with a NaN
        period.
    format : str, default=None
        File format; inferred from the file suffix when None.

    Returns
    -------
    catalogue or frame : pandas.DataFrame
        Without ``frame``: the table indexed by ``source_id`` with all its columns
        plus ``period`` (``pf`` for RRab, ``p1_o`` for RRc and RRd, chosen by
        ``best_classification``; without a classification ``pf`` when present,
        else ``p1_o``) and ``epoch`` (``epoch_g``, the G-band epoch of maximum
        light, BJD_TCB - 2455197.5 d). With ``frame``: the joined light-curve
        frame.

    Examples
    --------
    >>> import pandas as pd
    >>> from skrrl.datasets import read_vari_rrlyrae
    >>> table = pd.DataFrame({"source_id": [1, 2], "pf": [0.55, None],
    ...                       "p1_o": [None, 0.31], "epoch_g": [1700.1, 1701.2],
    ...                       "best_classification": ["RRab", "RRc"]})
    >>> read_vari_rrlyrae(table)[["period", "epoch"]]
               period   epoch
    source_id
    1            0.55  1700.1
    2            0.31  1701.2
    """
    if on_missing not in _ON_MISSING:
        raise ValueError(f"on_missing must be one of {_ON_MISSING}, got {on_missing!r}")
    catalogue = _catalogue(source, format)
    if frame is None:
        return catalogue
    return _attach(frame, catalogue, columns, on_missing)
