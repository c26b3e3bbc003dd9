"""Tests of read_liu2020 (real data via shared_data, and a tiny synthetic folder)."""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skrrl.datasets import read_gaia_epoch_photometry, read_liu2020

GAIA_FIXTURE = Path(__file__).resolve().parents[1] / "data" / "gaia"


@pytest.fixture(scope="module")
def liu(shared_data):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_liu2020(shared_data / "liu2020_dr3")
    return frame, [str(w.message) for w in caught]


def test_real_folder_counts_and_columns(liu, shared_data):
    frame, messages = liu
    n_files = len(list((shared_data / "liu2020_dr3" / "LC").glob("*.csv")))
    n_rows = len(pd.read_csv(shared_data / "liu2020_dr3" / "rrls_liu_new.csv"))
    assert len(frame) == n_files
    assert messages == [
        f"skipped {n_rows - n_files} of {n_rows} catalogue star(s) without a "
        f"light-curve file in LC/ (e.g. source_id={messages[0].split('=')[-1]}"
    ]
    assert list(frame.columns[:7]) == [
        "time",
        "mag",
        "mag_err",
        "period",
        "epoch",
        "feh",
        "feh_err",
    ]
    assert {"phi31_g", "phi21_g", "A1", "pf_error"} <= set(frame.columns)


def test_real_star_matches_its_files(liu, shared_data):
    frame, _ = liu
    sid = 100236118552751488
    raw = pd.read_csv(
        shared_data / "liu2020_dr3" / "LC" / f"{sid}.csv", float_precision="round_trip"
    )
    cat = pd.read_csv(
        shared_data / "liu2020_dr3" / "rrls_liu_new.csv", float_precision="round_trip"
    ).set_index("source_id")
    np.testing.assert_array_equal(frame.loc[sid, "time"], raw["time"])
    np.testing.assert_array_equal(frame.loc[sid, "mag"], raw["mag"])
    np.testing.assert_allclose(
        frame.loc[sid, "mag_err"], 1.0857 * raw["flux_error"] / raw["flux"], rtol=5e-5
    )
    assert frame.loc[sid, "period"] == cat.loc[sid, "pf"]
    assert frame.loc[sid, "epoch"] == cat.loc[sid, "epoch_g"]
    assert frame.loc[sid, "feh"] == cat.loc[sid, "FeH"]
    # the files' phase column was computed from pf: a constant offset per star
    cycles = (frame.loc[sid, "time"] - frame.loc[sid, "epoch"]) / frame.loc[
        sid, "period"
    ]
    offset = np.mod(raw["fase"] - np.mod(cycles, 1.0), 1.0)
    assert np.ptp(np.unwrap(2 * np.pi * offset)) < 2 * np.pi * 1e-3


def test_gaia_fixture_holds_the_real_liu_transits(liu):
    frame, _ = liu
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fixture = read_gaia_epoch_photometry(
            GAIA_FIXTURE / "epoch_photometry_long_votable.xml", drop_rejected=False
        )
    for sid in fixture.index:
        t = fixture.loc[sid, "time"]
        i = np.searchsorted(frame.loc[sid, "time"], t)
        np.testing.assert_array_equal(frame.loc[sid, "time"][i], t)
        np.testing.assert_array_equal(frame.loc[sid, "mag"][i], fixture.loc[sid, "mag"])
        np.testing.assert_allclose(
            frame.loc[sid, "mag_err"][i], fixture.loc[sid, "mag_err"], rtol=1e-12
        )


def _folder(tmp_path, curves, extra_ids=()):
    (tmp_path / "LC").mkdir()
    ids = list(curves) + list(extra_ids)
    pd.DataFrame(
        {
            "source_id": ids,
            "epoch_g": 1700.0,
            "pf": 0.5,
            "phi31_g": 2.0,
            "FeH": -1.5,
            "FeH_err": 0.1,
        }
    ).to_csv(tmp_path / "rrls_liu_new.csv", index=False)
    for sid, times in curves.items():
        n = len(times)
        pd.DataFrame(
            {
                "time": times,
                "fase": np.zeros(n),
                "mag": np.full(n, 15.0),
                "flux": np.full(n, 1000.0),
                "flux_error": np.full(n, 10.0),
            }
        ).to_csv(tmp_path / "LC" / f"{sid}.csv")
    return tmp_path


def test_rows_without_curve_are_skipped_with_a_count(tmp_path):
    path = _folder(tmp_path, {11: [1700.0, 1701.0]}, extra_ids=[22, 33])
    with pytest.warns(UserWarning, match=r"skipped 2 of 3 catalogue star\(s\)"):
        frame = read_liu2020(path)
    assert frame.index.tolist() == [11]
    np.testing.assert_allclose(frame.loc[11, "mag_err"], 1.0857 * 0.01, rtol=5e-5)
    assert frame.loc[11, "period"] == 0.5 and frame.loc[11, "feh"] == -1.5


def test_bad_folder_and_duplicated_times(tmp_path):
    with pytest.raises(FileNotFoundError, match="rrls_liu_new.csv"):
        read_liu2020(tmp_path)
    path = _folder(tmp_path, {44: [1700.0, 1700.0]})
    with pytest.raises(ValueError, match="source_id=44: duplicated times"):
        read_liu2020(path)
