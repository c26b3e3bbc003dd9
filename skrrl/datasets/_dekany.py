"""Loader of the Dékány & Grebel (2022) Gaia DR2 G-band RR Lyrae development set."""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from skrrl.frame import validate_frame

__all__ = ["fetch_dekany2022"]

_REPO = (
    "https://raw.githubusercontent.com/idekany/rrl_feh_nn/"
    "3141888c0c56e2b8f595eda14af31af9f1f24307/"
)
#: Public URL of the light curves (MIT license, commit pinned).
LC_URL = _REPO + "lc_dev_g.tar.gz"
LC_SHA256 = "73bdea622e27d89a571a5029d8622cdaea21773a32ffffe7439c5e32760f9c0b"
_LABELS_REPO_PATH = (
    "results_g/best_model_g/predict_val_bilstm2p_model"
    "['16' '16' 'l1' '5e-6' '5e-6' '0' '0' '0.1' '0.1'].dat"
)
#: Public URL of the labels and out-of-fold BiLSTM predictions.
LABELS_URL = _REPO + urllib.parse.quote(_LABELS_REPO_PATH)
LABELS_SHA256 = "6c7940159051a0bb69a6bd7603014680ad52bbd8c6a48048196146f1cec82f9e"
LABELS_NAME = "dev_g_feh_oof_predictions.dat"
LC_NAME = "lc_dev_g.tar.gz"

DESCR = """\
Dékány & Grebel (2022) Gaia DR2 G-band RR Lyrae (RRab) development set
-----------------------------------------------------------------------

13,323 Gaia DR2 G-band light curves of fundamental-mode RR Lyrae stars
(OGLE-IV x Gaia DR2, mostly Galactic bulge), 4,458 of them with a photometric
[Fe/H] label (Dékány, Grebel & Pojmański 2021 I-band scale) and the
out-of-fold prediction of the paper's best BiLSTM model (10-fold CV,
RMSE 0.18 dex).

The light curves are already phase-folded and aligned so that the phase of the
first Fourier term is 0; the files give phase and G magnitude only: there are
no time stamps, periods or errors, so the frame has array columns ``phase``
and ``mag`` and no ``time``/``period`` (skip PhaseFolder). The files repeat the
start of the cycle past phase 1 (up to 1.2); these copies are dropped unless
``keep_repeated=True``.

Index: Gaia DR2 source_id (not DR3). ``fold`` is the 0-based CV fold in which
the star was validated.

License: MIT (Copyright (c) Istvan Dekany), https://github.com/idekany/rrl_feh_nn.
Photometry: Gaia DR2, ESA/Gaia/DPAC.

Reference: Dékány I. & Grebel E. K. 2022, ApJS, "Photometric
metallicity prediction of fundamental-mode RR Lyrae stars in the Gaia optical
and Ks infrared wavebands by deep learning".
"""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check(path, expected, what):
    got = _sha256(path)
    if got != expected:
        raise OSError(
            f"{what} {os.fspath(path)!r} has sha256 {got}, expected {expected}: the "
            "file is corrupt or not the published one; delete it and download again"
        )
    return path


def _download(url, dest, expected, what):
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name, suffix=".part")
    os.close(fd)
    try:
        with (
            urllib.request.urlopen(url, timeout=60) as response,
            open(tmp, "wb") as out,
        ):
            shutil.copyfileobj(response, out)
        _check(tmp, expected, f"{what} downloaded from {url} as")
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return dest


def _locate(local, url, expected, what, download_if_missing):
    if local.is_file():
        return _check(local, expected, what)
    if not download_if_missing:
        raise OSError(
            f"{what} not found at {os.fspath(local)!r} and download_if_missing=False"
        )
    return _download(url, local, expected, what)


def _read_curves(tarball, wanted, keep_repeated):
    ids, phases, mags = [], [], []
    with tarfile.open(tarball, "r:gz") as tf:
        for member in tf:
            name = Path(member.name).name
            if not (member.isfile() and name.endswith("_bin.dat")):
                continue
            sid = int(name[: -len("_bin.dat")])
            if wanted is not None and sid not in wanted:
                continue
            values = np.array(tf.extractfile(member).read().split(), dtype=np.float64)
            if values.size % 2:
                raise ValueError(f"source_id={sid}: {name} has an odd number of values")
            phase, mag = values[0::2], values[1::2]
            if not keep_repeated:
                phase, mag = phase[phase < 1.0], mag[phase < 1.0]
            order = np.argsort(phase, kind="stable")
            ids.append(sid)
            phases.append(phase[order])
            mags.append(mag[order])
    return ids, phases, mags


def fetch_dekany2022(
    data_home=None,
    *,
    path=None,
    url=LC_URL,
    labels_path=None,
    labels_url=LABELS_URL,
    labelled_only=True,
    keep_repeated=False,
    download_if_missing=True,
):
    """Load the Dékány & Grebel (2022) Gaia DR2 G-band RRab light curves.

    MIT-licensed development set of the paper: phase-aligned G light curves
    with [Fe/H] labels and the out-of-fold predictions of the paper's BiLSTM.
    The tarball and label file are checked against their published sha256.

    Parameters
    ----------
    data_home : path-like, default=None
        Download and cache folder; files go to ``<data_home>/dekany2022``.
        Defaults to scikit-learn's data home (``~/scikit_learn_data``).
    path : path-like, default=None
        A local ``lc_dev_g.tar.gz``; when given nothing is downloaded for it.
    url : str, default=LC_URL
        Public URL of ``lc_dev_g.tar.gz`` (GitHub raw file, commit pinned).
    labels_path : path-like, default=None
        A local label file; defaults to ``dev_g_feh_oof_predictions.dat`` next
        to ``path`` (or in the cache folder).
    labels_url : str, default=LABELS_URL
        Public URL of the label file (``results_g/best_model_g/...dat``).
    labelled_only : bool, default=True
        Return only the 4,458 labelled stars; False returns all 13,323 with NaN
        labels, predictions and a fold of -1 for the unlabelled.
    keep_repeated : bool, default=False
        Keep the copies of the early phases that the files repeat past phase 1.
    download_if_missing : bool, default=True
        Download missing files; when False a missing file raises ``OSError``.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``frame``: phase-only light-curve frame indexed by Gaia DR2
        ``source_id``, array columns ``phase`` (sorted) and ``mag`` (no ``time``,
        ``period`` or errors); ``target``: [Fe/H] (pandas Series);
        ``dekany_prediction``: the paper's out-of-fold BiLSTM [Fe/H];
        ``fold``: CV fold of each star; ``DESCR``: description.

    Raises
    ------
    OSError
        If a file is missing and may not be downloaded, or its sha256 differs
        from the published one.

    Examples
    --------
    >>> from skrrl.datasets import fetch_dekany2022
    >>> data = fetch_dekany2022()  # doctest: +SKIP
    >>> data.frame.shape, data.target.shape  # doctest: +SKIP
    ((4458, 2), (4458,))
    """
    from sklearn.datasets import get_data_home

    home = Path(get_data_home(data_home)) / "dekany2022"
    if path is not None:
        tarball = _check(Path(path).expanduser(), LC_SHA256, "light-curve tarball")
        label_file = Path(labels_path) if labels_path else tarball.parent / LABELS_NAME
        if not label_file.is_file() and labels_path is None:
            label_file = home / LABELS_NAME
    else:
        tarball = _locate(
            home / LC_NAME, url, LC_SHA256, "light-curve tarball", download_if_missing
        )
        label_file = Path(labels_path) if labels_path else home / LABELS_NAME
    label_file = _locate(
        label_file.expanduser(),
        labels_url,
        LABELS_SHA256,
        "label file",
        download_if_missing,
    )
    labels = pd.read_csv(
        label_file,
        sep=r"\s+",
        header=None,
        names=["source_id", "fold", "feh", "feh_pred"],
        dtype={"source_id": np.int64, "fold": np.int64},
    ).set_index("source_id")
    wanted = set(labels.index) if labelled_only else None
    ids, phases, mags = _read_curves(tarball, wanted, keep_repeated)
    frame = pd.DataFrame(index=pd.Index(ids, name="source_id", dtype=np.int64))
    for name, arrays in (("phase", phases), ("mag", mags)):
        col = np.empty(len(ids), dtype=object)
        col[:] = arrays
        frame[name] = col
    absent = labels.index.difference(frame.index)
    if absent.size:
        raise ValueError(
            f"source_id={absent[0]}: {absent.size} labelled star(s) have no light "
            f"curve in {os.fspath(tarball)!r}"
        )
    frame = frame.loc[labels.index] if labelled_only else frame.sort_index()
    # Phase-folded data: ties in phase are real distinct epochs, so no strict order.
    validate_frame(frame, require_period=False, require_time=False, check_sorted=None)
    joined = labels.reindex(frame.index)
    return Bunch(
        frame=frame,
        target=joined["feh"].rename("feh"),
        dekany_prediction=joined["feh_pred"].rename("dekany_prediction"),
        fold=joined["fold"].fillna(-1).astype(np.int64).rename("fold"),
        DESCR=DESCR,
    )
