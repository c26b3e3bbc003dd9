"""Reader of a local copy of the Liu et al. (2020) x Gaia DR3 RR Lyrae light curves."""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from skrrl.frame import frame_from_long, validate_frame

__all__ = ["read_liu2020"]

_MAG_ERR_FACTOR = 2.5 / np.log(10.0)
_CATALOGUE = "rrls_liu_new.csv"
_RENAME = {"pf": "period", "epoch_g": "epoch", "FeH": "feh", "FeH_err": "feh_err"}


def read_liu2020(path):
    """Read Gaia DR3 light curves with LAMOST [Fe/H] from a local folder.

    The folder holds the catalogue ``rrls_liu_new.csv`` (Gaia DR3 ``source_id``,
    ``epoch_g``, ``pf``, Fourier parameters and the LAMOST ``FeH``/``FeH_err`` of
    Liu et al. 2020) and one file ``LC/<source_id>.csv`` per star with the Gaia
    DR3 G-band epoch photometry (columns ``time, fase, mag, flux, flux_error``),
    as in the repository Melikakmm/Master_Thesis. These files carry no license:
    skrrl ships none of them and only reads a folder you provide.

    Parameters
    ----------
    path : path-like
        Folder with ``rrls_liu_new.csv`` and ``LC/``.

    Returns
    -------
    frame : pandas.DataFrame
        Light-curve frame indexed by ``source_id``: array columns ``time``
        (BJD_TCB - 2455197.5 d), ``mag`` and ``mag_err`` (``1.0857 * flux_error
        / flux``); scalar columns ``period`` (DR3 ``pf``), ``epoch``
        (``epoch_g``), ``feh``, ``feh_err`` and the catalogue's other columns
        (``pf_error``, ``phi31_g``, ``phi21_g``, ``A1`` ... with their errors).
        Stars in catalogue order. Catalogue rows without a light-curve file are
        skipped with a warning giving their number.

    References
    ----------
    Liu G.-C. et al. 2020, ApJS 247, 68, "Probing the Galactic halo with RR Lyrae
    stars. I. The catalog".

    Examples
    --------
    >>> from skrrl.datasets import read_liu2020
    >>> frame = read_liu2020("../shared/data/liu2020_dr3")  # doctest: +SKIP
    """
    root = Path(path).expanduser()
    cat_path = root / _CATALOGUE
    if not cat_path.is_file():
        raise FileNotFoundError(
            f"{os.fspath(root)!r} has no {_CATALOGUE}; expected the Liu et al. 2020 "
            "folder layout (rrls_liu_new.csv and LC/<source_id>.csv)"
        )
    catalogue = pd.read_csv(cat_path, float_precision="round_trip")
    catalogue["source_id"] = catalogue["source_id"].astype(np.int64)
    have = {p.stem for p in (root / "LC").glob("*.csv")}
    found = catalogue["source_id"].astype(str).isin(have).to_numpy()
    if not found.any():
        raise FileNotFoundError(f"no light curve of the catalogue in {root / 'LC'}")
    if not found.all():
        missing = catalogue["source_id"][~found]
        warnings.warn(
            f"skipped {missing.size} of {found.size} catalogue star(s) without a "
            f"light-curve file in LC/ (e.g. source_id={missing.iloc[0]})",
            UserWarning,
            stacklevel=2,
        )
    catalogue = catalogue[found].reset_index(drop=True)
    # One parse for all files: join their bodies, tagging each line with its star.
    chunks, header = [], None
    for sid in catalogue["source_id"]:
        text = (root / "LC" / f"{sid}.csv").read_text()
        head, _, body = text.partition("\n")
        header = header or head
        if head != header:
            raise ValueError(
                f"source_id={sid}: LC/{sid}.csv has header {head!r}, expected "
                f"{header!r}"
            )
        lines = body.strip("\n")
        if lines:
            chunks.append(f"{sid}," + lines.replace("\n", f"\n{sid},"))
    names = ["source_id", *[c or "row" for c in header.split(",")]]
    long = pd.read_csv(
        io.StringIO("\n".join(chunks)),
        names=names,
        float_precision="round_trip",
    )
    long["mag_err"] = _MAG_ERR_FACTOR * long["flux_error"] / long["flux"]
    frame = frame_from_long(long, err_column="mag_err")
    scalars = catalogue.rename(columns=_RENAME).set_index("source_id")
    frame = frame.join(scalars, how="left").reindex(scalars.index)
    first = ["time", "mag", "mag_err", "period", "epoch", "feh", "feh_err"]
    frame = frame[first + [c for c in frame.columns if c not in first]]
    lost = frame["time"].isna()
    if lost.any():  # a file with a header but no rows
        warnings.warn(
            f"skipped {int(lost.sum())} star(s) with an empty light-curve file "
            f"(e.g. source_id={frame.index[lost][0]})",
            UserWarning,
            stacklevel=2,
        )
        frame = frame[~lost]
    return validate_frame(frame)
