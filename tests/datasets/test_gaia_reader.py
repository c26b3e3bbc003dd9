"""Tests of the Gaia epoch-photometry reader and writer on real DR3 rows."""

import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from astropy.io.votable import from_table
from astropy.table import Table

from skrrl.datasets import read_gaia_epoch_photometry, write_gaia_epoch_photometry
from skrrl.frame import make_frame

DATA = Path(__file__).resolve().parents[1] / "data" / "gaia"
FIXTURES = sorted(DATA.glob("epoch_photometry_*"))
STARS = [1175193864974284160, 100236118552751488, 74041563986640000]
SIGMA = 2.5 / np.log(10)

# Real DR3 transits typed from the Liu et al. light-curve files: (time, mag).
KNOWN = {
    1175193864974284160: [
        (1710.2487423243629, 17.912581920454866),
        (2040.9509237930392, 17.899604788678374),
    ],
    100236118552751488: [
        (1703.6071630706529, 13.968393420469884),
        (2008.3828884682184, 14.3035306589884),
    ],
    74041563986640000: [
        (1704.3634299917533, 18.006769409373355),
        (1872.0276800453655, 17.45799061543184),
    ],
}
# Epochs flagged rejected in the fixtures (ATTRIBUTION.md).
REJECTED_TIMES = {
    100236118552751488: 1873.782144053754,
    74041563986640000: 2009.5651513071607,
}


def _read(path, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_gaia_epoch_photometry(path, **kwargs)
    return frame, [str(w.message) for w in caught]


def test_fixture_files_are_small():
    assert len(FIXTURES) == 12
    assert sum(p.stat().st_size for p in DATA.iterdir()) < 100_000


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_every_layout_and_format_gives_the_same_real_frame(path):
    frame, messages = _read(path)
    reference, _ = _read(FIXTURES[0])
    assert list(frame.index) == STARS
    assert list(frame.columns) == ["time", "mag", "mag_err"]
    assert [len(t) for t in frame["time"]] == [8, 7, 7]
    for col in ("time", "mag", "mag_err"):
        for a, b in zip(frame[col], reference[col]):
            np.testing.assert_array_equal(a, b)
    for star, epochs in KNOWN.items():
        for t, m in epochs:
            i = np.flatnonzero(frame.loc[star, "time"] == t)
            assert i.size == 1 and frame.loc[star, "mag"][i[0]] == m
    for star, t in REJECTED_TIMES.items():
        assert t not in frame.loc[star, "time"]
    assert len(messages) == 1 and messages[0].startswith("dropped 2 of 24 G epochs")


def test_rejected_reasons_are_counted():
    _, messages = _read(DATA / "epoch_photometry_long_csv.csv")
    assert "1 rejected_by_photometry" in messages[0]
    assert "1 rejected_by_variability" in messages[0]
    # The array layout has no G photometry flag: the reject is a null flux.
    _, messages = _read(DATA / "epoch_photometry_array_votable.xml")
    assert "1 null flux/mag" in messages[0]


def test_drop_rejected_false_keeps_variability_rejects():
    frame, messages = _read(DATA / "epoch_photometry_wide_csv.csv", drop_rejected=False)
    assert [len(t) for t in frame["time"]] == [8, 8, 7]
    assert REJECTED_TIMES[100236118552751488] in frame.loc[100236118552751488, "time"]
    # the photometry reject has no flux: unusable, still dropped and reported
    assert messages == ["dropped 1 of 24 G epochs of 3 star(s): 1 null flux/mag"]


def test_mag_err_is_1p0857_over_flux_over_error():
    raw = pd.read_csv(DATA / "epoch_photometry_long_csv.csv")
    raw = raw[raw["flux_over_error"].notna() & ~raw["rejected_by_variability"]]
    frame, _ = _read(DATA / "epoch_photometry_long_csv.csv")
    for star, rows in raw.groupby("source_id"):
        rows = rows.sort_values("time")
        np.testing.assert_allclose(
            frame.loc[star, "mag_err"], 1.0857 / rows["flux_over_error"], rtol=5e-5
        )


def test_real_votable_row_with_gaia_unit_string_and_tf_booleans():
    frame, messages = _read(DATA / "gaia_dr3_long_pyvo_row.xml")
    assert messages == []
    assert frame.index.tolist() == [5813181197970338560]
    assert frame.loc[5813181197970338560, "time"].tolist() == [1705.9437360200984]
    assert frame.loc[5813181197970338560, "mag"].tolist() == [15.216574774452164]
    # flux_over_error is a float32 field (349.76254): sigma = 1.0857 / FoE
    np.testing.assert_allclose(
        frame.loc[5813181197970338560, "mag_err"], 1.0857 / 349.76254, rtol=5e-5
    )


def test_csv_pitfalls_tf_booleans_null_tokens(tmp_path):
    text = (
        "source_id,band,time,mag,flux_over_error,rejected_by_photometry,"
        "rejected_by_variability\n"
        "5,G,1700.5,15.0,100.0,F,F\n"
        "5,G,1700.1,15.1,200.0,F,T\n"
        "5,G,1700.3,null,null,T,F\n"
        "5,BP,1700.3,15.6,50.0,F,F\n"
        "5,G,1700.2,15.2,NaN,F,F\n"
        "5,G,1700.4,15.3,400,false,false\n"
    )
    path = tmp_path / "long.csv"
    path.write_text(text)
    frame, messages = _read(path)
    assert frame.loc[5, "time"].tolist() == [1700.4, 1700.5]
    np.testing.assert_allclose(frame.loc[5, "mag_err"], SIGMA / np.array([400, 100]))
    assert "1 rejected_by_photometry" in messages[0]
    assert "1 rejected_by_variability" in messages[0]
    assert "1 null flux/mag" in messages[0]
    bp, _ = _read(path, band="BP")
    assert bp.loc[5, "mag"].tolist() == [15.6]


@pytest.mark.parametrize("layout", ["long", "wide", "array"])
@pytest.mark.parametrize("band", ["BP", "RP"])
def test_band_selection_round_trip(layout, band):
    frame = make_frame(
        [[1700.0, 1701.5], [1702.0]],
        [[16.0, 16.2], [17.0]],
        source_id=[1, 2],
        mag_err=[[0.01, 0.02], [0.03]],
    )
    table = write_gaia_epoch_photometry(frame, layout=layout, band=band)
    back, messages = _read(table, band=band)
    assert messages == []
    for col in ("time", "mag"):
        for a, b in zip(back[col], frame[col]):
            np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(back.loc[1, "mag_err"], [0.01, 0.02], rtol=1e-12)
    with pytest.raises(ValueError, match="no G epoch"):
        read_gaia_epoch_photometry(table, band="G")


def test_wrong_layout_names_expected_and_detected_layout():
    with pytest.raises(
        ValueError,
        match=r"expected the 'long'.*'band'.*detected layout"
        r": 'wide'",
    ):
        read_gaia_epoch_photometry(
            DATA / "epoch_photometry_wide_csv.csv", layout="long"
        )
    with pytest.raises(
        ValueError,
        match=r"expected the 'wide'.*detected layout: "
        r"'array'",
    ):
        read_gaia_epoch_photometry(
            DATA / "epoch_photometry_array_csv.csv", layout="wide"
        )
    with pytest.raises(
        ValueError,
        match=r"expected the 'array'.*detected layout: "
        r"'long'",
    ):
        read_gaia_epoch_photometry(
            DATA / "epoch_photometry_long_ecsv.ecsv", layout="array"
        )


def test_missing_columns_are_named():
    long = pd.DataFrame({"source_id": [1], "band": ["G"], "time": [1700.0]})
    with pytest.raises(ValueError, match=r"'long'.*\['mag'\] are missing"):
        read_gaia_epoch_photometry(long)
    with pytest.raises(ValueError, match="could not recognise"):
        read_gaia_epoch_photometry(pd.DataFrame({"source_id": [1], "foo": [2.0]}))


def test_invalid_light_curves_name_the_source_id():
    nan_time = pd.DataFrame(
        {
            "source_id": [3, 3],
            "band": ["G", "G"],
            "time": [np.nan, 1700.0],
            "mag": [15.0, 15.1],
            "flux_over_error": [100.0, 100.0],
        }
    )
    with pytest.raises(ValueError, match=r"source_id=3: column 'time' has 1 NaN"):
        read_gaia_epoch_photometry(nan_time)
    duplicated = pd.DataFrame(
        {
            "source_id": [4, 8, 8],
            "band": ["G"] * 3,
            "time": [1700.0, 1700.0, 1700.0],
            "mag": [15.0, 15.1, 15.2],
            "flux_over_error": [100.0] * 3,
        }
    )
    with pytest.raises(ValueError, match="source_id=8: duplicated times"):
        read_gaia_epoch_photometry(duplicated)


def test_array_cells_of_unequal_length_name_the_source_id(tmp_path):
    path = tmp_path / "array.csv"
    path.write_text(
        "source_id,g_transit_time,g_transit_mag,g_transit_flux_over_error\n"
        '9,"[1700.0,1701.0]","[15.0,15.1]","[10.0,10.0]"\n'
        '12,"[1700.0,1701.0]","[15.0]","[10.0,10.0]"\n'
    )
    with pytest.raises(ValueError, match="source_id=12: array columns of unequal"):
        read_gaia_epoch_photometry(path)


def _astroquery_dict(table, fmt):
    """The dict astroquery's Gaia.load_data returns, one entry per source."""
    out = {"XP_SAMPLED-Gaia DR3 1.xml": [object()]}  # other products are ignored
    for sid in np.unique(table["source_id"]):
        sub = table[table["source_id"] == sid]
        key = f"EPOCH_PHOTOMETRY-Gaia DR3 {sid}.{fmt}"
        if fmt == "xml":
            buf = io.BytesIO()
            # astropy's C TABLEDATA writer can corrupt memory (see _gaia_write.py)
            from_table(sub).to_xml(buf, _debug_python_based_parser=True)
            buf.seek(0)
            from astropy.io.votable import parse

            out[key] = [parse(buf).get_first_table()]
        elif fmt in ("csv", "ecsv"):
            out[key] = [sub]
        elif fmt == "fits":
            out[key] = [sub, sub[:0]]
        else:
            out[key] = sub
    return out


@pytest.mark.parametrize("fmt", ["xml", "csv", "ecsv", "fits", "json"])
def test_astroquery_dict_structure(fmt):
    reference, _ = _read(FIXTURES[0])
    table = Table.read(DATA / "epoch_photometry_wide_ecsv.ecsv", format="ascii.ecsv")
    frame, messages = _read(_astroquery_dict(table, fmt))
    assert sorted(frame.index) == sorted(STARS)
    for star in STARS:
        np.testing.assert_array_equal(
            frame.loc[star, "time"], reference.loc[star, "time"]
        )
    assert messages[0].startswith("dropped 2 of 24")


def test_catalogue_join_gives_period_and_epoch():
    catalogue = pd.DataFrame(
        {
            "source_id": STARS,
            "pf": [0.5, 0.6, np.nan],
            "p1_o": [np.nan, np.nan, 0.3],
            "epoch_g": [1700.0, 1701.0, 1702.0],
            "best_classification": ["RRab", "RRab", "RRc"],
        }
    )
    frame, _ = _read(FIXTURES[0], catalogue=catalogue)
    assert frame["period"].tolist() == [0.5, 0.6, 0.3]
    assert frame["epoch"].tolist() == [1700.0, 1701.0, 1702.0]


@pytest.mark.parametrize("serialization", ["binary", "binary2"])
def test_binary_votable(tmp_path, serialization):
    # the archive's default "votable" output is binary-serialised
    from astropy.io.votable import parse

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        votable = parse(DATA / "epoch_photometry_array_votable.xml")
        votable.get_first_table().format = serialization
        votable.to_xml(str(tmp_path / "binary.vot"))
    frame, messages = _read(tmp_path / "binary.vot")
    reference, _ = _read(FIXTURES[0])
    for a, b in zip(frame["time"], reference["time"]):
        np.testing.assert_array_equal(a, b)
    assert messages[0].startswith("dropped 2 of 24")
