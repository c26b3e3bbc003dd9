"""Reader of Gaia DR3 epoch photometry in its three layouts."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from skrrl.datasets._table_io import (
    as_bool,
    as_float,
    as_str,
    is_array_cell,
    parse_array_cells,
    read_columns,
)
from skrrl.frame import frame_from_long, validate_frame

__all__ = ["read_gaia_epoch_photometry"]

#: 2.5 / ln 10: sigma_mag = MAG_ERR_FACTOR / (flux / sigma_flux).
MAG_ERR_FACTOR = 2.5 / np.log(10.0)

LAYOUTS = {
    "long": "one row per transit and band: source_id, band, time, mag, ...",
    "wide": "one row per transit: g_transit_time, g_transit_mag, bp_obs_time, ...",
    "array": "one row per source, array cells: g_transit_time[], g_transit_mag[], ...",
}
_REASONS = ("rejected_by_photometry", "rejected_by_variability", "null flux/mag")


def _band_names(band, layout):
    """Column names of one band in one layout."""
    b = band.lower()
    if layout == "long":
        prefix = ""
        time, mag = "time", "mag"
    elif b == "g":
        prefix = "g_transit_"
        time, mag = "g_transit_time", "g_transit_mag"
    else:
        prefix = f"{b}_"
        time, mag = f"{b}_obs_time", f"{b}_mag"
    names = {
        "time": time,
        "mag": mag,
        "flux": f"{prefix}flux",
        "flux_error": f"{prefix}flux_error",
        "flux_over_error": f"{prefix}flux_over_error",
    }
    if layout == "long":
        names["phot"] = ["rejected_by_photometry"]
        names["var"] = ["rejected_by_variability"]
    else:
        names["phot"] = [f"{b}_rejected_by_photometry", "rejected_by_photometry"]
        if layout == "array" and b != "g":
            names["phot"].append(f"photometry_flag_{b}_reject")
        names["var"] = [f"variability_flag_{b}_reject", "rejected_by_variability"]
    return names


def _required(band, layout):
    names = _band_names(band, layout)
    req = ["source_id", names["time"], names["mag"]]
    return req + ["band"] if layout == "long" else req


def _wanted(band):
    """Every column the reader may use for ``band``, in any layout."""
    names = {"source_id", "band", "n_transits"}
    for layout in LAYOUTS:
        spec = _band_names(band, layout)
        names.update(v for k, v in spec.items() if isinstance(v, str))
        names.update(spec["phot"] + spec["var"])
    # detection of the other layouts / bands
    names.update(("g_transit_time", "bp_obs_time", "rp_obs_time", "g_transit_mag"))
    return names


def _detect(cols):
    """Layout of one table from its columns (None when unrecognised)."""
    if "band" in cols and ("time" in cols or "mag" in cols):
        return "long"
    if "n_transits" in cols:
        return "array"
    for name in ("g_transit_time", "bp_obs_time", "rp_obs_time", "g_transit_mag"):
        if name in cols:
            values = cols[name]
            if values.dtype == object:
                filled = [v for v in values[:50] if v is not None and v is not np.nan]
                if filled and is_array_cell(filled[0]):
                    return "array"
            return "wide"
    return None


def _check_layout(name, cols, layout, band):
    detected = _detect(cols)
    if layout == "auto":
        if detected is None:
            raise ValueError(
                f"{name}: could not recognise a Gaia epoch-photometry layout; expected "
                f"one of {list(LAYOUTS)} ("
                + "; ".join(f"{k}: {v}" for k, v in LAYOUTS.items())
                + f"). Relevant columns found: {sorted(cols)[:30]}"
            )
        layout = detected
    missing = [c for c in _required(band, layout) if c not in cols]
    empty = len(cols.get("source_id", ())) == 0  # no cell tells arrays apart
    if missing or (detected is not None and detected != layout and not empty):
        found = (
            f"detected layout: {detected!r}" if detected else "layout not recognised"
        )
        raise ValueError(
            f"{name}: expected the {layout!r} Gaia epoch-photometry layout "
            f"({LAYOUTS[layout]}) for band {band!r}, but "
            + (f"column(s) {missing} are missing" if missing else "it does not match")
            + f"; {found}. Relevant columns found: {sorted(cols)[:30]}"
        )
    return layout


def _first(cols, candidates):
    for c in candidates:
        if c in cols:
            return c
    return None


def _epochs_scalar(cols, band, layout):
    """Long and wide layouts: one row per epoch already (vectorised)."""
    names = _band_names(band, layout)
    n = len(cols["source_id"])
    keep = np.ones(n, dtype=bool)
    if layout == "long":
        keep = as_str(cols["band"]) == band
    get = {
        k: as_float(cols[names[k]])[keep] if names[k] in cols else None
        for k in ("time", "mag", "flux", "flux_error", "flux_over_error")
    }
    flags = {}
    for key in ("phot", "var"):
        col = _first(cols, names[key])
        flags[key] = as_bool(cols[col])[keep] if col else np.zeros(keep.sum(), bool)
    sid = np.asarray(cols["source_id"])[keep]
    if layout == "wide":  # rows where this band has no transit at all
        present = ~(np.isnan(get["time"]) & np.isnan(get["mag"]))
        sid = sid[present]
        get = {k: None if v is None else v[present] for k, v in get.items()}
        flags = {k: v[present] for k, v in flags.items()}
    return sid, get, flags


def _epochs_array(cols, band, name):
    """Array layout: parse every array column once, then repeat the ids."""
    names = _band_names(band, "array")
    sid = np.asarray(cols["source_id"])
    get, flags, ref = {}, {}, None
    wanted = [
        (k, names[k], False)
        for k in ("time", "mag", "flux", "flux_error", "flux_over_error")
    ]
    wanted += [(k, _first(cols, names[k]), True) for k in ("phot", "var")]
    for key, col, boolean in wanted:
        if col is None or col not in cols:
            continue
        try:
            values, lengths = parse_array_cells(cols[col], boolean=boolean)
        except ValueError as exc:
            raise ValueError(f"{name}: column {col!r}: {exc}") from None
        if ref is None:
            ref, ref_col = lengths, col
        elif np.any(lengths != ref):
            i = np.flatnonzero(lengths != ref)[0]
            raise ValueError(
                f"source_id={sid[i]}: array columns of unequal length: {ref_col!r} has "
                f"{ref[i]} values but {col!r} has {lengths[i]}"
            )
        (flags if boolean else get)[key] = values
    for k in ("flux", "flux_error", "flux_over_error"):
        get.setdefault(k, None)
    n = int(ref.sum())
    for k in ("phot", "var"):
        flags.setdefault(k, np.zeros(n, bool))
    present = ~(np.isnan(get["time"]) & np.isnan(get["mag"]))
    sid = np.repeat(sid, ref)[present]
    get = {k: None if v is None else v[present] for k, v in get.items()}
    flags = {k: v[present] for k, v in flags.items()}
    return sid, get, flags


def _mag_err(get):
    if get["flux_over_error"] is not None:
        return MAG_ERR_FACTOR / get["flux_over_error"]
    if get["flux"] is not None and get["flux_error"] is not None:
        return MAG_ERR_FACTOR * get["flux_error"] / get["flux"]
    return None


def read_gaia_epoch_photometry(
    source, *, band="G", layout="auto", drop_rejected=True, format=None, catalogue=None
):
    """Read Gaia DR3 epoch photometry into a light-curve frame.

    All three layouts served by the Gaia archive are understood: the *long*
    layout (one row per transit and band, DR2 and DR3 before 2025), the *wide*
    per-transit layout (``g_transit_time``, ``g_transit_mag``, ..., the current
    ``DATAMODEL_STANDARD`` default) and the *array* layout (one row per source,
    array cells; ``DATAMODEL_GAIA`` / RAW and the bulk ``EpochPhotometry_*.csv.gz``
    files, where arrays are strings like ``"[1.0,2.0,null]"``).

    Parameters
    ----------
    source : path-like, astropy Table, DataFrame, dict or list
        A VOTable (``.xml``, ``.vot``), ECSV, CSV (gzip too) or FITS file; an
        astropy ``Table``, VOTable ``TableElement`` or pandas ``DataFrame``; the
        dict returned by ``astroquery.gaia.Gaia.load_data`` (only its
        ``EPOCH_PHOTOMETRY`` entries are read); or a list of any of these.
    band : {"G", "BP", "RP"}, default="G"
        Photometric band to read.
    layout : {"auto", "long", "wide", "array"}, default="auto"
        Expected layout. ``"auto"`` detects it per table; an explicit layout
        makes a table of another layout fail with a message naming both.
    drop_rejected : bool, default=True
        Drop epochs flagged ``rejected_by_photometry`` or
        ``rejected_by_variability`` (``variability_flag_<band>_reject``). A
        warning reports how many were dropped and why. Epochs with a null
        magnitude or flux-over-error cannot be used and are always dropped (and
        reported).
    format : {"votable", "ecsv", "csv", "fits"}, default=None
        File format; inferred from the file suffix when None.
    catalogue : path-like, DataFrame or Table, default=None
        A DR3 ``vari_rrlyrae`` table (anything
        :func:`~skrrl.datasets.read_vari_rrlyrae` reads). When given, each star
        gets its ``period``, ``epoch`` and catalogue columns; stars without a
        catalogue row are dropped with a warning naming them.

    Returns
    -------
    frame : pandas.DataFrame
        Light-curve frame indexed by ``source_id`` with array columns ``time``
        (BJD_TCB - 2455197.5 d), ``mag`` and ``mag_err`` (``1.0857 /
        flux_over_error``), sorted by time; stars in order of first appearance.
        Without ``catalogue`` there is no ``period`` column.

    Raises
    ------
    ValueError
        If a table has the wrong layout or lacks columns (the message names the
        layout expected or detected and the missing columns), or if the light
        curve of a star is invalid (NaN or duplicated times; the message names
        the ``source_id``).

    Notes
    -----
    Rejection flags by layout: long, ``rejected_by_photometry`` and
    ``rejected_by_variability`` of each row; wide, ``rejected_by_photometry``
    (one flag per transit, applied to every band) and
    ``variability_flag_<band>_reject``; array, ``variability_flag_<band>_reject``
    and, for BP/RP, ``photometry_flag_<band>_reject`` (G photometry rejects
    appear as null fluxes). Booleans may be written ``true``/``false``,
    ``T``/``F`` or 0/1; ``null``, ``NaN``, ``--`` and empty cells are missing
    values. Times are kept as double precision; float32 ``flux_over_error`` is
    promoted before ``mag_err`` is computed.

    See Also
    --------
    skrrl.datasets.write_gaia_epoch_photometry : Write a frame in these layouts.
    skrrl.datasets.read_vari_rrlyrae : Read periods and epochs of RR Lyrae.

    Examples
    --------
    >>> import pandas as pd
    >>> from skrrl.datasets import read_gaia_epoch_photometry
    >>> long = pd.DataFrame({
    ...     "source_id": [7, 7, 7], "band": ["G", "G", "BP"],
    ...     "time": [1706.2, 1705.9, 1705.9], "mag": [15.3, 15.2, 15.5],
    ...     "flux_over_error": [300.0, 350.0, 50.0],
    ...     "rejected_by_photometry": [False, False, False],
    ...     "rejected_by_variability": [False, False, False]})
    >>> frame = read_gaia_epoch_photometry(long)
    >>> frame.loc[7, "time"], frame.loc[7, "mag"]
    (array([1705.9, 1706.2]), array([15.2, 15.3]))
    >>> frame.loc[7, "mag_err"].round(5)
    array([0.0031 , 0.00362])
    """
    band = str(band).strip().upper()
    if band not in ("G", "BP", "RP"):
        raise ValueError(f"band must be 'G', 'BP' or 'RP', got {band!r}")
    if layout not in ("auto", *LAYOUTS):
        raise ValueError(
            f"layout must be 'auto' or one of {list(LAYOUTS)}, got {layout!r}"
        )
    parts = []
    for name, cols in read_columns(source, format, _wanted(band)):
        kind = _check_layout(name, cols, layout, band)
        if kind == "array":
            sid, get, flags = _epochs_array(cols, band, name)
        else:
            sid, get, flags = _epochs_scalar(cols, band, kind)
        parts.append((sid, get["time"], get["mag"], _mag_err(get), flags))
    if not parts:
        raise ValueError("source holds no table with epoch photometry")
    sid = np.concatenate([p[0] for p in parts]).astype(np.int64)
    if sid.size == 0:
        raise ValueError(
            f"source holds no {band} epoch (no {band} transit in any table)"
        )
    time = np.concatenate([p[1] for p in parts])
    mag = np.concatenate([p[2] for p in parts])
    has_err = all(p[3] is not None for p in parts)
    err = np.concatenate([p[3] for p in parts]) if has_err else None
    phot = np.concatenate([p[4]["phot"] for p in parts])
    var = np.concatenate([p[4]["var"] for p in parts])
    null = np.isnan(mag) | (~np.isfinite(err) if has_err else False)
    reasons = (
        [phot, var & ~phot, null & ~phot & ~var]
        if drop_rejected
        else [np.zeros_like(null), np.zeros_like(null), null]
    )
    drop = reasons[0] | reasons[1] | reasons[2]
    all_ids = pd.unique(sid)
    if drop.any():
        counts = ", ".join(
            f"{int(r.sum())} {why}" for r, why in zip(reasons, _REASONS) if r.any()
        )
        kept_ids = pd.unique(sid[~drop])
        lost = np.setdiff1d(all_ids, kept_ids)
        msg = (
            f"dropped {int(drop.sum())} of {drop.size} {band} epochs of "
            f"{all_ids.size} star(s): {counts}"
        )
        if lost.size:
            msg += (
                f"; {lost.size} star(s) had no epoch left and are not in the frame "
                f"(e.g. source_id={lost[0]})"
            )
        warnings.warn(msg, UserWarning, stacklevel=2)
    keep = ~drop
    table = {"source_id": sid[keep], "time": time[keep], "mag": mag[keep]}
    if has_err:
        table["mag_err"] = err[keep]
    frame = frame_from_long(
        pd.DataFrame(table), err_column="mag_err" if has_err else None
    )
    validate_frame(frame, require_period=False)
    if catalogue is not None:
        from skrrl.datasets._vari import read_vari_rrlyrae

        frame = read_vari_rrlyrae(catalogue, frame=frame)
    return frame
