"""Download of Gaia DR3 epoch photometry through astroquery, cached per chunk."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import os
import time
import warnings
from pathlib import Path

import numpy as np

from skrrl.datasets._gaia import _check_layout, _epochs_array, _epochs_scalar
from skrrl.datasets._table_io import read_columns

__all__ = ["fetch_gaia_rrlyrae"]

logger = logging.getLogger("skrrl.datasets")

#: Most ids the Gaia DataLink service accepts in one call.
MAX_CHUNK = 5000
_MANIFEST = "manifest.json"


def _gaia_client(gaia):
    if gaia is not None:
        return gaia
    try:
        from astroquery.gaia import Gaia
    except ImportError as exc:
        raise ImportError(
            "fetch_gaia_rrlyrae downloads through astroquery, which is not installed. "
            "Install the optional extra with `pip install 'skrrl[online]'` (or `pip "
            "install astroquery`), or pass gaia= an object with a compatible "
            "load_data method."
        ) from exc
    return Gaia


def _chunk_key(ids, data_release, data_structure):
    text = f"{data_release}|{data_structure}|" + ",".join(map(str, ids))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _normalise(result, ids):
    """Raw ``load_data`` result -> long layout with all bands and flags kept."""
    from astropy.table import Table

    columns = {
        k: []
        for k in (
            "source_id",
            "band",
            "time",
            "mag",
            "flux_over_error",
            "rejected_by_photometry",
            "rejected_by_variability",
        )
    }
    for name, cols in read_columns(result):
        if not cols:
            continue
        kind = _check_layout(name, cols, "auto", "G")
        for band in ("G", "BP", "RP"):
            if kind == "long":
                sid, get, flags = _epochs_scalar(cols, band, kind)
            elif kind == "array":
                sid, get, flags = _epochs_array(cols, band, name)
            else:
                sid, get, flags = _epochs_scalar(cols, band, kind)
            foe = get["flux_over_error"]
            if (
                foe is None
                and get["flux"] is not None
                and get["flux_error"] is not None
            ):
                foe = get["flux"] / get["flux_error"]
            if foe is None:
                foe = np.full(sid.size, np.nan)
            columns["source_id"].append(np.asarray(sid, np.int64))
            columns["band"].append(np.full(sid.size, band, dtype="<U2"))
            columns["time"].append(get["time"])
            columns["mag"].append(get["mag"])
            columns["flux_over_error"].append(foe)
            columns["rejected_by_photometry"].append(flags["phot"])
            columns["rejected_by_variability"].append(flags["var"])
    table = Table()
    for key, parts in columns.items():
        dtype = {"source_id": np.int64, "band": "<U2"}.get(key)
        table[key] = np.concatenate(parts) if parts else np.zeros(0, dtype or float)
    table.meta["requested_ids"] = len(ids)
    return table


def _write_atomic(path, data):
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def fetch_gaia_rrlyrae(
    source_ids,
    *,
    cache_dir="~/.skrrl_cache",
    band="G",
    data_release="Gaia DR3",
    data_structure="INDIVIDUAL",
    retrieval_format="votable",
    chunk_size=MAX_CHUNK,
    drop_rejected=True,
    catalogue=None,
    verbose=0,
    gaia=None,
):
    """Download Gaia epoch photometry of many stars, cached and resumable.

    The ids are requested through ``astroquery.gaia.Gaia.load_data`` in chunks
    of at most 5,000 (the archive's limit). Each chunk is stored in
    ``cache_dir`` as one gzip ECSV file in the long layout (all bands, rejected
    epochs kept), and recorded in a ``manifest.json``; a later call, e.g. after
    an interrupted run, downloads only the chunks not yet cached. The light
    curves are then read from the cache with
    :func:`~skrrl.datasets.read_gaia_epoch_photometry`.

    Parameters
    ----------
    source_ids : array-like of int
        Gaia DR3 ``source_id`` values; duplicates are ignored, order is kept.
    cache_dir : path-like, default="~/.skrrl_cache"
        Cache directory; files go to ``<cache_dir>/gaia_epoch_photometry/``.
    band : {"G", "BP", "RP"}, default="G"
        Band of the returned light curves (every band is cached).
    data_release : str, default="Gaia DR3"
        Passed to ``load_data``.
    data_structure : str, default="INDIVIDUAL"
        Passed to ``load_data``: ``"INDIVIDUAL"`` / ``"COMBINED"`` / ``"RAW"``
        (``"DATAMODEL_STANDARD"`` / ``"DATAMODEL_GAIA"`` in astroquery >= 0.4.12).
        Every resulting layout is understood.
    retrieval_format : str, default="votable"
        ``format`` passed to ``load_data`` (votable, csv, ecsv, fits, json).
    chunk_size : int, default=5000
        Ids per request, 1 to 5,000.
    drop_rejected : bool, default=True
        See :func:`~skrrl.datasets.read_gaia_epoch_photometry`.
    catalogue : path-like, DataFrame or Table, default=None
        Optional ``vari_rrlyrae`` table joined to the result (periods, epochs).
    verbose : int, default=0
        0 logs progress at DEBUG level, 1 at INFO level (logger
        ``"skrrl.datasets"``).
    gaia : object, default=None
        Object with astroquery's ``load_data`` signature; None imports
        ``astroquery.gaia.Gaia`` (optional extra ``skrrl[online]``).

    Returns
    -------
    frame : pandas.DataFrame
        Light-curve frame, as from
        :func:`~skrrl.datasets.read_gaia_epoch_photometry`. Ids without epoch
        photometry are reported in a warning.

    Examples
    --------
    >>> from skrrl.datasets import fetch_gaia_rrlyrae
    >>> frame = fetch_gaia_rrlyrae([5813181197970338560])  # doctest: +SKIP
    """
    from skrrl.datasets._gaia import read_gaia_epoch_photometry

    ids = np.asarray(source_ids).ravel()
    if ids.size == 0:
        raise ValueError("source_ids is empty")
    try:
        ids = ids.astype(
            np.int64, casting="safe" if ids.dtype.kind != "O" else "unsafe"
        )
    except (TypeError, ValueError) as exc:
        raise TypeError(f"source_ids must be integers, got dtype {ids.dtype}") from exc
    ids = ids[np.sort(np.unique(ids, return_index=True)[1])]
    if not (isinstance(chunk_size, int | np.integer) and 1 <= chunk_size <= MAX_CHUNK):
        raise ValueError(
            f"chunk_size must be an int in [1, {MAX_CHUNK}], got {chunk_size!r}"
        )
    level = logging.INFO if verbose else logging.DEBUG
    cache = Path(cache_dir).expanduser() / "gaia_epoch_photometry"
    cache.mkdir(parents=True, exist_ok=True)
    manifest_path = cache / _MANIFEST
    manifest = {}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
    chunks = [ids[i : i + chunk_size] for i in range(0, ids.size, chunk_size)]
    files = []
    client = None
    for k, chunk in enumerate(chunks, 1):
        key = _chunk_key(chunk, data_release, data_structure)
        path = cache / f"chunk_{key}.ecsv.gz"
        if key in manifest and path.exists():
            logger.log(
                level, "chunk %d/%d (%d ids): cached", k, len(chunks), chunk.size
            )
            files.append(path)
            continue
        if client is None:
            client = _gaia_client(gaia)
        logger.log(
            level, "chunk %d/%d (%d ids): downloading", k, len(chunks), chunk.size
        )
        start = time.perf_counter()
        result = client.load_data(
            ids=[int(i) for i in chunk],
            data_release=data_release,
            retrieval_type="EPOCH_PHOTOMETRY",
            data_structure=data_structure,
            format=retrieval_format,
            valid_data=False,
        )
        table = _normalise(result or {}, chunk)
        buf = io.StringIO()
        table.write(buf, format="ascii.ecsv", delimiter=",")
        _write_atomic(
            path, gzip.compress(buf.getvalue().encode(), compresslevel=5, mtime=0)
        )
        manifest[key] = {
            "file": path.name,
            "n_ids": int(chunk.size),
            "n_sources_returned": int(np.unique(table["source_id"]).size),
            "n_rows": len(table),
            "data_release": data_release,
            "data_structure": data_structure,
            "first_id": int(chunk[0]),
            "seconds": round(time.perf_counter() - start, 3),
        }
        _write_atomic(manifest_path, json.dumps(manifest, indent=1).encode())
        files.append(path)
    frame = read_gaia_epoch_photometry(
        files, band=band, layout="long", drop_rejected=drop_rejected
    )
    frame = frame.reindex(ids[np.isin(ids, frame.index.to_numpy())])
    absent = np.setdiff1d(ids, frame.index.to_numpy())
    if absent.size:
        warnings.warn(
            f"{absent.size} of {ids.size} source_id(s) have no {band} epoch photometry "
            f"(e.g. source_id={absent[0]})",
            UserWarning,
            stacklevel=2,
        )
    if catalogue is not None:
        from skrrl.datasets._vari import read_vari_rrlyrae

        frame = read_vari_rrlyrae(catalogue, frame=frame)
    return frame
