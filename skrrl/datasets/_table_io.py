"""Private helpers: read Gaia tables from any source into plain numpy columns.

Every Gaia reader of :mod:`skrrl.datasets` turns its input (file path, astropy
Table, VOTable ``TableElement``, pandas DataFrame, or the dict returned by
``astroquery.gaia.Gaia.load_data``) into a list of ``(name, columns)`` pairs,
where ``columns`` maps a lower-case column name to a 1-D numpy array. The
conversions below absorb the pitfalls of the Gaia archive files: unit strings
astropy cannot parse (``'electron'.s**-1``), booleans written ``T``/``F`` or
``true``/``false``, null tokens, float32 columns, and array cells stored as
strings (``"[1.0,2.0,null]"`` or ``"(1.0, 2.0)"``).
"""

from __future__ import annotations

import gzip
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

__all__: list[str] = []

#: Tokens read as missing values in text files.
NULL_TOKENS = ["", "null", "NULL", "Null", "nan", "NaN", "NAN", "--", "None"]

_FORMATS = ("votable", "ecsv", "csv", "fits")
_SUFFIXES = {
    ".xml": "votable",
    ".vot": "votable",
    ".votable": "votable",
    ".ecsv": "ecsv",
    ".csv": "csv",
    ".txt": "csv",
    ".fits": "fits",
    ".fit": "fits",
    ".fts": "fits",
}


def infer_format(path, format=None):
    """File format from ``format`` or from the suffix of ``path``."""
    if format is not None:
        fmt = str(format).lower().replace("votable_plain", "votable")
        fmt = {"xml": "votable", "vot": "votable", "fit": "fits"}.get(fmt, fmt)
        if fmt not in _FORMATS:
            raise ValueError(
                f"format must be one of {_FORMATS} or None, got {format!r}"
            )
        return fmt
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] in (".gz", ".bz2", ".xz", ".zip"):
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in _SUFFIXES:
        return _SUFFIXES[suffixes[-1]]
    raise ValueError(
        f"cannot infer the format of {os.fspath(path)!r} from its suffix; pass "
        f"format= one of {_FORMATS}"
    )


def _open_text(path):
    if str(path).lower().endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return open(path, encoding="utf-8", errors="replace")


def _header_lines(path):
    """Number of leading ``#`` lines and the ECSV delimiter they declare."""
    n, delimiter, ecsv = 0, None, False
    with _open_text(path) as fh:
        for line in fh:
            if not line.startswith("#"):
                break
            n += 1
            ecsv |= "%ECSV" in line
            match = re.match(r"#\s*delimiter:\s*'?(.)'?", line)
            if match:
                delimiter = match.group(1)
    if delimiter is None:
        delimiter = " " if ecsv else ","
    return n, delimiter


def _read_text(path, columns=None):
    """CSV or ECSV (gzip too) through pandas' C parser, skipping ``#`` lines."""
    skip, sep = _header_lines(path)
    df = pd.read_csv(
        path,
        sep=sep,
        skiprows=skip,
        usecols=None if columns is None else lambda c: c.strip().lower() in columns,
        na_values=NULL_TOKENS,
        keep_default_na=True,
        low_memory=False,
        quotechar='"',
        float_precision="round_trip",
    )
    return frame_columns(df)


def frame_columns(df):
    """Columns of a pandas DataFrame as ``{lower-case name: ndarray}``."""
    out = {}
    for name in df.columns:
        col = df[name]
        if pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(
            col.dtype
        ):
            if col.hasnans and not pd.api.types.is_float_dtype(col.dtype):
                values = col.to_numpy(dtype=np.float64, na_value=np.nan)
            else:
                values = col.to_numpy()
        else:
            values = col.to_numpy(dtype=object, na_value=None)
        out[str(name).strip().lower()] = values
    return out


def table_columns(table):
    """Columns of an astropy Table as ``{lower-case name: ndarray}``.

    Masked values become NaN (floats), False (booleans) or None (anything else);
    multidimensional columns become object arrays of 1-D rows.
    """
    out = {}
    for name in table.colnames:
        col = table[name]
        data = np.asarray(col)
        mask = getattr(col, "mask", None)
        if data.ndim > 1:
            rows = np.empty(len(data), dtype=object)
            full = np.ma.asarray(col)
            for i in range(len(data)):
                rows[i] = full[i]
            values = rows
        elif data.dtype.kind in "f":
            values = np.asarray(col.filled(np.nan) if mask is not None else data)
        elif data.dtype.kind == "b":
            values = np.asarray(col.filled(False) if mask is not None else data)
        elif data.dtype.kind in "iu":
            if mask is not None and np.any(mask):
                values = np.where(mask, np.nan, data.astype(np.float64))
            else:
                values = data
        elif data.dtype.kind in "SU":
            values = data.astype(str).astype(object)
            if mask is not None and np.any(mask):
                values[np.asarray(mask)] = None
        else:
            values = np.asarray(col, dtype=object)
        out[name.strip().lower()] = values
    return out


def _read_votable(path):
    from astropy.io.votable import parse

    with warnings.catch_warnings():
        # Gaia writes units such as "'electron'.s**-1" that astropy cannot parse;
        # units are not used here, so their warnings are noise.
        warnings.simplefilter("ignore")
        votable = parse(path, verify="ignore")
        tables = [t.to_table(use_names_over_ids=True) for t in votable.iter_tables()]
    return [table_columns(t) for t in tables]


def _read_fits(path):
    from astropy.io import fits
    from astropy.table import Table

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with fits.open(path) as hdul:
            for hdu in hdul:
                if isinstance(hdu, fits.BinTableHDU | fits.TableHDU):
                    out.append(table_columns(Table.read(hdu)))
    return out


def _as_tables(value):
    """Tables held by one value of an astroquery ``load_data`` dict."""
    if isinstance(value, list | tuple):
        return [t for v in value for t in _as_tables(v)]
    if hasattr(value, "to_table"):  # astropy.io.votable TableElement
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [value.to_table(use_names_over_ids=True)]
    return [value]


def read_columns(source, format=None, columns=None):
    """Read any supported source into a list of ``(name, columns)`` pairs.

    Parameters
    ----------
    source : path-like, astropy Table, TableElement, DataFrame, dict or list
        A file (VOTable, ECSV, CSV, gzip CSV, FITS), an in-memory table, the dict
        returned by ``astroquery.gaia.Gaia.load_data``, or a list of these.
    format : str, default=None
        File format; inferred from the suffix when None.
    columns : set of str, default=None
        Lower-case names of the columns worth parsing in text files (others are
        skipped by the parser, which is much faster); None keeps all.

    Returns
    -------
    list of (str, dict)
        A name for error messages and the columns of each table found.
    """
    from astropy.table import Table

    if isinstance(source, pd.DataFrame):
        return [("DataFrame", frame_columns(source))]
    if isinstance(source, Table):
        return [("Table", table_columns(source))]
    if isinstance(source, dict):
        keys = list(source)
        epoch = [k for k in keys if str(k).upper().startswith("EPOCH_PHOTOMETRY")]
        out = []
        for key in epoch or keys:
            for i, table in enumerate(_as_tables(source[key])):
                out.extend(
                    (f"{key}[{i}]", cols)
                    for _, cols in read_columns(table, format, columns)
                )
        if not out:
            raise ValueError("the astroquery result dict holds no table")
        return out
    if isinstance(source, list | tuple):
        if not source:
            raise ValueError("source is an empty list")
        return [pair for s in source for pair in read_columns(s, format, columns)]
    if hasattr(source, "to_table"):
        return read_columns(_as_tables(source)[0])
    if isinstance(source, str | os.PathLike):
        path = Path(source).expanduser()
        if not path.exists():
            raise FileNotFoundError(f"no such file: {os.fspath(path)!r}")
        fmt = infer_format(path, format)
        if fmt == "votable":
            tables = _read_votable(path)
        elif fmt == "fits":
            tables = _read_fits(path)
        else:
            tables = [_read_text(path, columns)]
        if not tables:
            raise ValueError(f"{os.fspath(path)!r} holds no table")
        return [(path.name, cols) for cols in tables]
    raise TypeError(
        "source must be a file path, an astropy Table, a VOTable TableElement, a "
        "pandas DataFrame, the dict returned by astroquery's Gaia.load_data, or a "
        f"list of these; got {type(source).__name__}"
    )


def as_float(values):
    """Float64 array; null tokens, None and masked values become NaN."""
    arr = np.asarray(values)
    if arr.dtype.kind in "fiub":
        return arr.astype(np.float64, copy=False)
    return pd.to_numeric(pd.Series(arr, dtype=object), errors="coerce").to_numpy(
        np.float64, na_value=np.nan
    )


def as_bool(values):
    """Booleans from bool, 0/1, ``T``/``F`` or ``true``/``false``; null is False."""
    arr = np.asarray(values)
    if arr.dtype.kind == "b":
        return arr
    if arr.dtype.kind in "iuf":
        return np.nan_to_num(arr.astype(np.float64), nan=0.0) != 0
    text = pd.Series(arr, dtype=object).astype(str).str.strip().str.lower()
    return text.isin(["t", "true", "1", "1.0", "y", "yes"]).to_numpy()


def as_str(values):
    """Stripped upper-case strings (bytes decoded, quotes removed); null is ''."""
    # Normalise the few distinct values only (band has three): no per-row Python.
    codes, uniques = pd.factorize(
        np.asarray(values, dtype=object), use_na_sentinel=True
    )
    clean = np.array(
        [
            (u.decode() if isinstance(u, bytes) else str(u))
            .strip()
            .strip("\"'")
            .upper()
            for u in uniques
        ]
        + [""],
        dtype=object,
    )
    return clean[codes]


_TRUE = re.compile(r"\b(?:true|t)\b")
_FALSE = re.compile(r"\b(?:false|f)\b")
_GAP = re.compile(r",\s*,")
_EMPTY = re.compile(r"(?:^|(?<=,))\s*(?=,|$)")


def is_array_cell(value):
    """Whether a cell holds an array (as a sequence or as a bracketed string)."""
    if isinstance(value, str | bytes):
        text = value.decode() if isinstance(value, bytes) else value
        text = text.strip()
        return text[:1] in ("[", "(")
    return isinstance(value, np.ndarray | list | tuple)


def parse_array_cells(cells, *, boolean=False):
    """Flatten a column of array cells; return ``(values, lengths)``.

    Cells are sequences or strings like ``"[1.0,2.0,null]"`` / ``"(1, 2)"``;
    the strings of a whole column are joined and parsed by one C-level call.
    Null and NaN elements become NaN (False for ``boolean``).
    """
    if not (
        isinstance(cells, np.ndarray) and cells.dtype == object and cells.ndim == 1
    ):
        seq = list(cells)
        cells = np.empty(len(seq), dtype=object)
        for i, v in enumerate(seq):  # element-wise: keeps masked arrays intact
            cells[i] = v
    n = len(cells)
    lengths = np.zeros(n, dtype=np.int64)
    pieces, arrays = [], []
    for i, cell in enumerate(cells):
        if cell is None or (isinstance(cell, float) and np.isnan(cell)):
            continue
        if isinstance(cell, bytes):
            cell = cell.decode()
        if isinstance(cell, str):
            body = cell.strip()[1:-1].strip()
            if body:
                lengths[i] = body.count(",") + 1 if "," in body else len(body.split())
                pieces.append(body if "," in body else ",".join(body.split()))
            continue
        arr = np.ma.asarray(cell)
        filled = arr.astype(np.float64).filled(0.0 if boolean else np.nan)
        lengths[i] = filled.size
        pieces.append(filled.ravel())
        arrays.append(True)
    if arrays:  # sequences (VOTable/FITS arrays): concatenate directly
        parts = [
            p if isinstance(p, np.ndarray) else _parse_text(p, boolean) for p in pieces
        ]
        values = np.concatenate(parts) if parts else np.empty(0)
    else:
        values = _parse_text(",".join(pieces), boolean) if pieces else np.empty(0)
    if values.size != lengths.sum():
        raise ValueError(
            f"could not parse array cells: found {values.size} numbers for "
            f"{int(lengths.sum())} elements"
        )
    if boolean:
        values = np.nan_to_num(values, nan=0.0) != 0
    return values, lengths


def _parse_text(text, boolean):
    # Plain str.replace runs at memory speed; regexes only where they are needed.
    text = text.lower().replace("null", "nan").replace("none", "nan")
    text = text.replace("--", "nan")
    if boolean:
        text = text.replace("true", "1").replace("false", "0")
        if re.search("[tf]", text.replace("nan", "").replace("inf", "")):
            text = _FALSE.sub("0", _TRUE.sub("1", text))
    if text.startswith(",") or text.endswith(",") or _GAP.search(text):
        text = _EMPTY.sub("nan", text)
    return np.fromstring(text, dtype=np.float64, sep=",")
