"""Tests of fetch_dekany2022 on the shared copy of the published files (no network)."""

import shutil
import tarfile

import numpy as np
import pytest

from skrrl.datasets import fetch_dekany2022
from skrrl.frame import validate_frame


@pytest.fixture(scope="module")
def files(shared_data):
    folder = shared_data / "dekany2022"
    return folder / "lc_dev_g.tar.gz", folder / "dev_g_feh_oof_predictions.dat"


@pytest.fixture(scope="module")
def data(files):
    return fetch_dekany2022(path=files[0])


def test_labelled_set_known_answers(data):
    frame = data.frame
    assert frame.shape == (4458, 2) and list(frame.columns) == ["phase", "mag"]
    assert frame.index.name == "source_id"
    assert "time" not in frame and "period" not in frame
    validate_frame(frame, require_period=False, require_time=False, check_sorted=None)
    # SOURCE.md: RMSE of the paper's out-of-fold BiLSTM predictions = 0.178 dex
    rmse = np.sqrt(np.mean((data.target - data.dekany_prediction) ** 2))
    assert rmse == pytest.approx(0.178, abs=0.0005)
    assert sorted(np.unique(data.fold)) == list(range(10))
    assert data.target.index.equals(frame.index)
    assert data.target.between(-2.7, 0.0).all()
    assert "MIT" in data.DESCR and "no ``time``/``period``" in data.DESCR


def test_curves_match_the_tarball(data, files):
    sid = data.frame.index[0]
    with tarfile.open(files[0]) as tf:
        raw = np.loadtxt(tf.extractfile(f"lc_dev_g/{sid}_bin.dat"))
    raw = raw[raw[:, 0] < 1]
    raw = raw[np.argsort(raw[:, 0], kind="stable")]
    np.testing.assert_array_equal(data.frame.loc[sid, "phase"], raw[:, 0])
    np.testing.assert_array_equal(data.frame.loc[sid, "mag"], raw[:, 1])
    for phase in data.frame["phase"].iloc[:200]:
        assert phase.min() >= 0 and phase.max() < 1 and np.all(np.diff(phase) >= 0)


def test_all_stars_and_repeated_phases(files):
    full = fetch_dekany2022(path=files[0], labelled_only=False, keep_repeated=True)
    assert len(full.frame) == 13323
    assert int(full.target.isna().sum()) == 13323 - 4458
    assert (full.fold[full.target.isna()] == -1).all()
    phase = full.frame["phase"].iloc[0]
    mag = full.frame["mag"].iloc[0]
    repeated = phase >= 1
    assert repeated.any()
    # the files repeat the start of the cycle past phase 1
    for p, m in zip(phase[repeated], mag[repeated]):
        j = np.flatnonzero(np.isclose(phase, p - 1, atol=1e-6))
        assert j.size and mag[j[0]] == m


def test_download_from_url_checks_sha256_and_caches(files, tmp_path):
    home = tmp_path / "home"
    got = fetch_dekany2022(home, url=files[0].as_uri(), labels_url=files[1].as_uri())
    assert (home / "dekany2022" / "lc_dev_g.tar.gz").is_file()
    assert len(got.frame) == 4458
    again = fetch_dekany2022(home, download_if_missing=False)  # from the cache
    assert again.frame.index.equals(got.frame.index)


def test_checksum_mismatch_fails_clearly(files, tmp_path):
    bad = tmp_path / "lc_dev_g.tar.gz"
    bad.write_bytes(files[0].read_bytes()[:-10])
    shutil.copy(files[1], tmp_path / files[1].name)
    with pytest.raises(OSError, match="sha256 .* expected 73bdea62"):
        fetch_dekany2022(path=bad)
    home = tmp_path / "home"
    with pytest.raises(OSError, match="downloaded from .* sha256"):
        fetch_dekany2022(home, url=bad.as_uri(), labels_url=files[1].as_uri())
    assert not list((home / "dekany2022").glob("lc_dev_g*"))


def test_missing_file_without_download(tmp_path):
    with pytest.raises(OSError, match="download_if_missing=False"):
        fetch_dekany2022(tmp_path, download_if_missing=False)
