"""The ``skrrl`` command line, run in-process."""

import json

import numpy as np
import pandas as pd
import pytest

from skrrl.cli import main


def test_info_prints_versions(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "skrrl" in out and "scikit-learn" in out


@pytest.mark.parametrize("layout, suffix", [("wide", ".csv.gz"), ("long", ".xml")])
def test_simulate_then_preprocess_round_trip(tmp_path, layout, suffix):
    phot = tmp_path / f"phot{suffix}"
    cat = tmp_path / "vari.csv"
    out = tmp_path / "X.npz"
    main(
        [
            "-q",
            "simulate",
            str(phot),
            "--catalogue",
            str(cat),
            "--n-stars",
            "12",
            "--kind",
            "mixed",
            "--layout",
            layout,
        ]
    )
    table = pd.read_csv(cat)
    # RRab carry pf, RRc carry p1_o, as in vari_rrlyrae
    is_c = table["best_classification"] == "RRc"
    assert table.loc[is_c, "pf"].isna().all() and table.loc[~is_c, "p1_o"].isna().all()
    main(["-q", "preprocess", str(phot), str(cat), str(out), "--n-points", "50"])
    data = np.load(out)
    assert data["X"].shape == (12, 2, 50)
    np.testing.assert_array_equal(
        np.sort(data["source_id"]), np.sort(table["source_id"])
    )
    # channel 1 is magnitude minus its mean: a zero-centred light curve
    assert np.all(np.abs(data["X"][:, 1].mean(axis=1)) < 0.05)


def test_demo_relation_only(tmp_path, capsys):
    report = tmp_path / "metrics.json"
    main(
        [
            "-q",
            "demo",
            "--n-stars",
            "150",
            "--model",
            "none",
            "--feh-scatter",
            "0.2",
            "--json",
            str(report),
        ]
    )
    metrics = json.loads(report.read_text())
    rmse = metrics["P-phi31-R21 relation"]["rmse"]
    # the injected scatter is a floor no model can beat by more than sampling noise
    assert 0.15 < rmse < 0.6
    # the noisy curves hold less: their floor lies above the injected scatter
    assert 0.2 < metrics["light_curve_floor"] < 0.3
    assert "Out-of-fold" in capsys.readouterr().out


def test_demo_rejects_unknown_model():
    with pytest.raises(ValueError, match="unknown --model"):
        main(["-q", "demo", "--n-stars", "60", "--model", "nope", "--n-splits", "2"])
