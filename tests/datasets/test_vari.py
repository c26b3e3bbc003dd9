"""Tests of read_vari_rrlyrae and its join with light-curve frames."""

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from astropy.io.votable import from_table
from astropy.table import MaskedColumn, Table

from skrrl.datasets import read_vari_rrlyrae
from skrrl.frame import make_frame


def _table():
    """A vari_rrlyrae extract with DR3 column names and types."""
    t = Table()
    t["solution_id"] = np.full(4, 375316653866487564, dtype=np.int64)
    t["source_id"] = np.array([11, 22, 33, 44], dtype=np.int64)
    t["pf"] = MaskedColumn([0.58, np.nan, 0.49, 0.62], mask=[0, 1, 0, 0])
    t["p1_o"] = MaskedColumn([np.nan, 0.31, 0.36, np.nan], mask=[1, 0, 0, 1])
    t["epoch_g"] = [1700.5, 1701.5, 1702.5, 1703.5]
    t["best_classification"] = ["RRab", "RRc", "RRd", "RRab"]
    for name, value in (
        ("r21_g", 0.48),
        ("r31_g", 0.31),
        ("phi21_g", 4.1),
        ("phi31_g", 2.3),
    ):
        t[name] = np.full(4, value, dtype=np.float32)
    t["metallicity"] = np.array([-1.5, -1.2, -1.8, -0.9], dtype=np.float32)
    t["metallicity_error"] = np.full(4, 0.3, dtype=np.float32)
    t["num_clean_epochs_g"] = np.array([40, 51, 62, 33], dtype=np.int16)
    t["pf"].unit = "d"
    return t


def _as(fmt, tmp_path):
    t = _table()
    if fmt == "table":
        return t
    if fmt == "dataframe":
        return t.to_pandas()
    path = tmp_path / f"vari.{fmt}"
    if fmt == "xml":
        buf = io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from_table(t).to_xml(buf, _debug_python_based_parser=True)
        path.write_bytes(buf.getvalue())
    elif fmt == "csv":
        t.write(path, format="ascii.csv")
    elif fmt == "ecsv":
        t.write(path, format="ascii.ecsv")
    elif fmt == "fits":
        t.write(path, format="fits")
    return path


@pytest.mark.parametrize("fmt", ["table", "dataframe", "xml", "csv", "ecsv", "fits"])
def test_period_by_classification_in_every_format(fmt, tmp_path):
    cat = read_vari_rrlyrae(_as(fmt, tmp_path))
    assert cat.index.name == "source_id" and cat.index.tolist() == [11, 22, 33, 44]
    # RRab -> pf; RRc and RRd -> p1_o (first overtone)
    np.testing.assert_allclose(cat["period"], [0.58, 0.31, 0.36, 0.62])
    np.testing.assert_allclose(cat["epoch"], [1700.5, 1701.5, 1702.5, 1703.5])
    assert cat["best_classification"].tolist() == ["RRab", "RRc", "RRd", "RRab"]
    for col in (
        "r21_g",
        "r31_g",
        "phi21_g",
        "phi31_g",
        "metallicity",
        "metallicity_error",
        "num_clean_epochs_g",
        "solution_id",
        "pf",
    ):
        assert col in cat.columns
    np.testing.assert_allclose(cat["metallicity"], [-1.5, -1.2, -1.8, -0.9], rtol=1e-6)


def test_without_classification_pf_then_p1o():
    cat = read_vari_rrlyrae(
        pd.DataFrame({"source_id": [1, 2], "pf": [0.5, None], "p1_o": [None, 0.3]})
    )
    assert cat["period"].tolist() == [0.5, 0.3]
    assert cat["epoch"].isna().all()


def test_missing_columns_and_duplicates():
    with pytest.raises(ValueError, match="'pf' \\(RRab\\) or 'p1_o'"):
        read_vari_rrlyrae(pd.DataFrame({"source_id": [1], "epoch_g": [1.0]}))
    with pytest.raises(ValueError, match="'source_id' column"):
        read_vari_rrlyrae(pd.DataFrame({"pf": [0.5]}))
    with pytest.raises(ValueError, match="source_id=1: 1 duplicated"):
        read_vari_rrlyrae(pd.DataFrame({"source_id": [1, 1], "pf": [0.5, 0.6]}))


def _frame(ids):
    return make_frame(
        [[1700.0, 1700.3]] * len(ids), [[15.0, 15.2]] * len(ids), source_id=ids
    )


def test_join_attaches_period_epoch_and_fourier():
    out = read_vari_rrlyrae(_table(), frame=_frame([22, 11]))
    assert out.index.tolist() == [22, 11]
    assert out["period"].tolist() == pytest.approx([0.31, 0.58])
    assert out["epoch"].tolist() == [1701.5, 1700.5]
    assert list(out.columns) == [
        "time",
        "mag",
        "period",
        "epoch",
        "best_classification",
        "r21_g",
        "r31_g",
        "phi21_g",
        "phi31_g",
        "metallicity",
        "metallicity_error",
    ]
    wide = read_vari_rrlyrae(_table(), frame=_frame([11]), columns="all")
    assert "num_clean_epochs_g" in wide.columns


def test_stars_without_catalogue_row_are_reported():
    frame = _frame([11, 99, 98])
    with pytest.warns(UserWarning, match=r"2 star\(s\) .* no row .* dropped 2 star"):
        out = read_vari_rrlyrae(_table(), frame=frame)
    assert out.index.tolist() == [11]
    with pytest.raises(ValueError, match="source_id=99"):
        read_vari_rrlyrae(_table(), frame=frame, on_missing="raise")
    kept = read_vari_rrlyrae(_table(), frame=frame, on_missing="keep")
    assert kept.index.tolist() == [11, 99, 98]
    assert np.isnan(kept.loc[99, "period"])


def test_missing_period_names_the_source_id():
    table = _table()
    table["pf"].mask[0] = True  # an RRab without pf
    with pytest.raises(ValueError, match=r"source_id=11: .*missing period"):
        read_vari_rrlyrae(table, frame=_frame([11]), on_missing="raise")
    with pytest.warns(UserWarning, match="1 star\\(s\\) have a missing period"):
        read_vari_rrlyrae(table, frame=_frame([11, 22]))


def test_non_positive_period_fails_naming_the_star():
    table = pd.DataFrame({"source_id": [5], "pf": [-0.5], "epoch_g": [1700.0]})
    with pytest.raises(ValueError, match="source_id=5: non-positive or missing period"):
        read_vari_rrlyrae(table, frame=_frame([5]))


def test_liu_catalogue_reads_as_vari_rrlyrae(shared_data):
    cat = read_vari_rrlyrae(shared_data / "liu2020_dr3" / "rrls_liu_new.csv")
    raw = pd.read_csv(shared_data / "liu2020_dr3" / "rrls_liu_new.csv")
    assert len(cat) == len(raw)
    np.testing.assert_allclose(cat["period"], raw["pf"])
    np.testing.assert_allclose(cat["epoch"], raw["epoch_g"])
