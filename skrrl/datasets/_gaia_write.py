"""Writer of light-curve frames in the Gaia DR3 epoch-photometry layouts."""

from __future__ import annotations

import gzip
import io
import os
import warnings
from pathlib import Path

import numpy as np

from skrrl.frame import ARRAY_COLUMNS, lengths, to_ragged, validate_frame

__all__ = ["write_gaia_epoch_photometry"]

#: Gaia DR3 photometric zero points (Vega), mag = ZP - 2.5 log10(flux [e-/s]).
ZERO_POINTS = {"G": 25.6874, "BP": 25.3385, "RP": 24.7479}
_MAG_ERR_FACTOR = 2.5 / np.log(10.0)
_FLAGS_25 = (
    ["photometry_flag_noisy_data", "photometry_flag_sm_unavailable"]
    + [f"photometry_flag_af{i}_unavailable" for i in range(1, 10)]
    + ["photometry_flag_bp_unavailable", "photometry_flag_rp_unavailable"]
    + ["photometry_flag_sm_reject"]
    + [f"photometry_flag_af{i}_reject" for i in range(1, 10)]
    + ["photometry_flag_bp_reject", "photometry_flag_rp_reject"]
)
#: The unit string of Gaia's flux columns, which astropy cannot parse.
GAIA_FLUX_UNIT = "'electron'.s**-1"


def _band_prefixes(b):
    return ("g_transit_", "g_transit_time") if b == "g" else (f"{b}_", f"{b}_obs_time")


def _epochs(frame, band):
    """Flat per-epoch columns of a frame, with realistic Gaia companions."""
    n = lengths(frame)
    sid = np.repeat(frame.index.to_numpy(np.int64), n)
    time = to_ragged(frame, "time")[0]
    mag = to_ragged(frame, "mag")[0]
    if "mag_err" in frame.columns:
        foe = _MAG_ERR_FACTOR / to_ragged(frame, "mag_err")[0]
    else:
        foe = np.full(time.size, 1000.0)
    if "flux" in frame.columns and "flux_error" in frame.columns:
        flux = to_ragged(frame, "flux")[0]  # real fluxes, e.g. from archive files
        foe = flux / to_ragged(frame, "flux_error")[0]
    else:
        flux = 10.0 ** (-0.4 * (mag - ZERO_POINTS[band]))
    flags = {}
    for name in ("rejected_by_photometry", "rejected_by_variability"):
        if name in frame.columns:
            flags[name] = (
                np.concatenate(
                    [np.asarray(a, dtype=bool) for a in frame[name].to_numpy()]
                )
                if len(frame)
                else np.zeros(0, bool)
            )
        else:
            flags[name] = np.zeros(time.size, dtype=bool)
        if flags[name].size != time.size:
            raise ValueError(
                f"column {name!r} must hold one flag per epoch ({time.size} in all), "
                f"got {flags[name].size}"
            )
    phot = flags["rejected_by_photometry"]
    # CU5 rejects have no usable flux: Gaia serves them with null flux and errors.
    flux = np.where(phot, np.nan, flux)
    mag = np.where(phot, np.nan, mag)
    foe = np.where(phot, np.nan, foe)
    # transit_id is synthetic but unique per star and increasing with time.
    transit = np.round((time - 1600.0) * 1e8).astype(np.int64) * 100 + 17
    return {
        "solution_id": np.full(time.size, 369295551293819386, dtype=np.int64),
        "source_id": sid,
        "transit_id": transit,
        "time": time,
        "mag": mag,
        "flux": flux,
        "flux_error": flux / foe,
        "flux_over_error": foe,
        "rejected_by_photometry": phot,
        "rejected_by_variability": flags["rejected_by_variability"],
        "other_flags": np.where(phot, 4096, 4097).astype(np.int64),
        "n": n,
    }


def _long(ep, band):
    cols = {k: ep[k] for k in ("solution_id", "source_id", "transit_id")}
    cols["band"] = np.full(ep["time"].size, band, dtype="<U2")
    for k in (
        "time",
        "mag",
        "flux",
        "flux_error",
        "flux_over_error",
        "rejected_by_photometry",
        "rejected_by_variability",
        "other_flags",
    ):
        cols[k] = ep[k]
    cols["solution_id"] = cols.pop("solution_id")
    return cols


def _wide(ep, band):
    m = ep["time"].size
    cols = {k: ep[k] for k in ("solution_id", "source_id", "transit_id")}
    for b in ("g", "bp", "rp"):
        prefix, tname = _band_prefixes(b)
        mine = b == band.lower()
        nan = np.full(m, np.nan)
        cols[tname] = ep["time"] if mine else nan
        for k in ("flux", "flux_error", "flux_over_error"):
            cols[f"{prefix}{k}"] = ep[k] if mine else nan
        cols[f"{prefix}mag" if b != "g" else "g_transit_mag"] = (
            ep["mag"] if mine else nan
        )
    for b in ("g", "bp", "rp"):
        mine = b == band.lower()
        cols[f"variability_flag_{b}_reject"] = (
            ep["rejected_by_variability"] if mine else np.zeros(m, bool)
        )
    for b in ("g", "bp", "rp"):
        cols[f"{b}_other_flags"] = (
            ep["other_flags"] if b == band.lower() else (np.zeros(m, np.int64))
        )
    cols["rejected_by_photometry"] = ep["rejected_by_photometry"]
    return cols


def _array(ep, band):
    n = ep["n"]
    offsets = np.concatenate(([0], np.cumsum(n)))
    first = offsets[:-1]

    def split(values):
        out = np.empty(n.size, dtype=object)
        out[:] = [values[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
        return out

    m = ep["time"].size
    cols = {
        "solution_id": ep["solution_id"][first] if m else np.zeros(0, np.int64),
        "source_id": ep["source_id"][first] if m else np.zeros(0, np.int64),
        "n_transits": n.astype(np.int16),
        "transit_id": split(ep["transit_id"]),
    }
    for b in ("g", "bp", "rp"):
        prefix, tname = _band_prefixes(b)
        mine = b == band.lower()
        nan = np.full(m, np.nan)
        cols[tname] = split(ep["time"] if mine else nan)
        for k in ("flux", "flux_error", "flux_over_error"):
            cols[f"{prefix}{k}"] = split(ep[k] if mine else nan)
        cols["g_transit_mag" if b == "g" else f"{b}_mag"] = split(
            ep["mag"] if mine else nan
        )
        if b == "g":
            cols["g_transit_n_obs"] = split(np.full(m, 9 if mine else 0, np.int64))
    false = np.zeros(m, bool)
    for name in _FLAGS_25:
        own = name == f"photometry_flag_{band.lower()}_reject"
        cols[name] = split(ep["rejected_by_photometry"] if own else false)
    for b in ("g", "bp", "rp"):
        own = b == band.lower()
        cols[f"variability_flag_{b}_reject"] = split(
            ep["rejected_by_variability"] if own else false
        )
    return cols


def _array_strings(values):
    """Array cells as the bulk files write them: ``"[1.0,2.0,null]"``."""
    out = np.empty(len(values), dtype=object)
    for i, arr in enumerate(values):
        arr = np.asarray(arr)
        if arr.dtype.kind == "b":
            items = ["true" if v else "false" for v in arr]
        elif arr.dtype.kind in "iu":
            items = [str(v) for v in arr.tolist()]
        else:
            items = ["null" if v != v else repr(v) for v in arr.tolist()]
        out[i] = "[" + ",".join(items) + "]"
    return out


def _table(cols, stringify):
    from astropy.table import MaskedColumn, Table

    table = Table()
    for name, values in cols.items():
        values = np.asarray(values) if not isinstance(values, np.ndarray) else values
        if (
            values.dtype == object
            and stringify
            and len(values)
            and not isinstance(values[0], str)
        ):
            values = _array_strings(values).astype(str)
        if values.dtype.kind == "f" and np.isnan(values).any():
            table[name] = MaskedColumn(values, mask=np.isnan(values))
        else:
            table[name] = values
        if name.endswith(("flux", "flux_error")):
            table[name].unit = "electron/s"
        elif name.endswith("time"):
            table[name].unit = "d"
        elif name.endswith("mag"):
            table[name].unit = "mag"
    return table


def _csv_text(cols):
    """CSV as the Gaia archive writes it: booleans true/false, empty nulls."""
    rendered = []
    for values in cols.values():
        values = np.asarray(values) if not isinstance(values, np.ndarray) else values
        if values.dtype.kind == "b":
            rendered.append(np.where(values, "true", "false").astype(object))
        elif values.dtype == object and len(values) and not isinstance(values[0], str):
            rendered.append(np.array(['"' + s + '"' for s in _array_strings(values)]))
        elif values.dtype.kind == "f":
            rendered.append(
                np.array(["" if v != v else repr(v) for v in values.tolist()], object)
            )
        else:
            rendered.append(values.astype(str).astype(object))
    lines = [",".join(cols)]
    lines += [",".join(row) for row in zip(*rendered)]
    return "\n".join(lines) + "\n"


def write_gaia_epoch_photometry(
    frame, path=None, *, layout="long", format="csv", band="G", overwrite=False
):
    """Write a light-curve frame in a Gaia DR3 epoch-photometry layout.

    The output has the real Gaia columns and realistic companions (synthetic
    ``transit_id``, ``flux`` from the DR3 zero point, ``flux_error``,
    ``flux_over_error = 1.0857 / mag_err``, rejection flags, ``solution_id``),
    so that :func:`~skrrl.datasets.read_gaia_epoch_photometry` reads it back to
    the same frame. Useful for round-trip tests and for sharing simulated data.

    Parameters
    ----------
    frame : pandas.DataFrame
        Light-curve frame (``time``, ``mag``, optional ``mag_err``). Optional
        boolean array columns ``rejected_by_photometry`` and
        ``rejected_by_variability`` (one flag per epoch) mark rejected epochs;
        photometry rejects are written with null flux and magnitude, as Gaia
        serves them. Optional array columns ``flux`` and ``flux_error`` (e-/s)
        are written as given instead of being derived from ``mag`` and
        ``mag_err``.
    path : path-like, default=None
        Output file; a name ending in ``.gz`` is gzip-compressed (csv, ecsv).
        When None nothing is written and the table is returned.
    layout : {"long", "wide", "array"}, default="long"
        One row per transit and band; one row per transit with G/BP/RP side by
        side; or one row per source with array cells (written as
        ``"[1.0,2.0,null]"`` strings in csv and ecsv, as the bulk files are).
    format : {"csv", "ecsv", "votable", "fits"}, default="csv"
        File format. VOTables get Gaia's unit string ``'electron'.s**-1`` and
        ``T``/``F`` booleans; CSV gets ``true``/``false`` and empty nulls; FITS
        stores array cells as variable-length arrays.
    band : {"G", "BP", "RP"}, default="G"
        Band the frame's magnitudes belong to; the other bands are null.
    overwrite : bool, default=False
        Whether an existing ``path`` may be replaced.

    Returns
    -------
    table : astropy.table.Table or None
        The table when ``path`` is None (array cells as object columns of
        arrays), else None.

    Examples
    --------
    >>> from skrrl.frame import make_frame
    >>> from skrrl.datasets import write_gaia_epoch_photometry
    >>> frame = make_frame([[1705.9, 1706.2]], [[15.2, 15.3]], source_id=[7],
    ...                    mag_err=[[0.003, 0.004]])
    >>> table = write_gaia_epoch_photometry(frame, layout="wide")
    >>> table["g_transit_time"].tolist()
    [1705.9, 1706.2]
    >>> table["g_transit_flux_over_error"].round(1).tolist()
    [361.9, 271.4]
    """
    validate_frame(frame, require_period=False, array_columns=ARRAY_COLUMNS[:3])
    band = str(band).upper()
    if band not in ZERO_POINTS:
        raise ValueError(f"band must be 'G', 'BP' or 'RP', got {band!r}")
    builders = {"long": _long, "wide": _wide, "array": _array}
    if layout not in builders:
        raise ValueError(f"layout must be one of {list(builders)}, got {layout!r}")
    if format not in ("csv", "ecsv", "votable", "fits"):
        raise ValueError(
            f"format must be 'csv', 'ecsv', 'votable' or 'fits', got {format!r}"
        )
    cols = builders[layout](_epochs(frame, band), band)
    if path is None:
        return _table(cols, stringify=False)
    path = Path(path).expanduser()
    if path.exists() and not overwrite:
        raise FileExistsError(f"{os.fspath(path)!r} exists; pass overwrite=True")
    if format == "votable":
        from astropy.io.votable import from_table

        buf = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # astropy's VOUnit complaints
            votable = from_table(_table(cols, stringify=False))
            for field in votable.get_first_table().fields:
                # Gaia writes booleans as T/F ("boolean") and strings as "char".
                field.datatype = {"bit": "boolean", "unicodeChar": "char"}.get(
                    field.datatype, field.datatype
                )
            # astropy's C TABLEDATA writer (8.0.2, numpy 2.4) corrupts memory on
            # these tables (segfault at the next garbage collection): use the
            # pure-Python writer, which writes the same XML.
            votable.to_xml(buf, _debug_python_based_parser=True)
        text = buf.getvalue().decode("utf-8")
        text = text.replace('unit="electron / s"', f'unit="{GAIA_FLUX_UNIT}"')
        data = text.encode("utf-8")
    elif format == "fits":
        buf = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _table(cols, stringify=False).write(buf, format="fits")
        data = buf.getvalue()
    elif format == "ecsv":
        buf = io.StringIO()
        _table(cols, stringify=True).write(buf, format="ascii.ecsv", delimiter=",")
        data = buf.getvalue().encode("utf-8")
    else:
        data = _csv_text(cols).encode("utf-8")
    if path.suffix.lower() == ".gz":
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return None
