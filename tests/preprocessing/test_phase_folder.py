"""PhaseFolder: hand-computed phases, known answers on simulated stars, bad input."""

import numpy as np
import pandas as pd
import pytest

from skrrl.datasets import make_rrlyrae, rrlyrae_magnitudes
from skrrl.frame import make_frame
from skrrl.preprocessing import PhaseFolder


def _circular(d):
    return (np.asarray(d) + 0.5) % 1.0 - 0.5


def test_hand_computed_phases():
    # P = 0.5, epoch 0.1: (t - 0.1) / 0.5 = -0.2, 0.4, 2.0, 3.9 -> 0.8, 0.4, 0, 0.9
    frame = make_frame(
        [[0.0, 0.3, 1.1, 2.05], [10.0, 10.25]],
        [[15.0, 15.4, 15.2, 15.1], [12.0, 12.5]],
        period=[0.5, 1.0],
        epoch=[0.1, 9.5],
        mag_err=[[0.01, 0.02, 0.03, 0.04], [0.1, 0.2]],
        source_id=[7, 8],
    )
    out = PhaseFolder(add_phase_time=True).fit_transform(frame)
    np.testing.assert_allclose(out.loc[7, "phase"], [0.0, 0.4, 0.8, 0.9], atol=1e-12)
    # arrays move together with the phase
    np.testing.assert_allclose(out.loc[7, "time"], [1.1, 0.3, 0.0, 2.05])
    np.testing.assert_allclose(out.loc[7, "mag"], [15.2, 15.4, 15.0, 15.1])
    np.testing.assert_allclose(out.loc[7, "mag_err"], [0.03, 0.02, 0.01, 0.04])
    np.testing.assert_allclose(out.loc[8, "phase"], [0.5, 0.75])
    np.testing.assert_allclose(
        out.loc[7, "phase_time"], [0.0, 0.2, 0.4, 0.45], atol=1e-12
    )
    # the input is not modified, scalar columns are kept
    assert "phase" not in frame.columns
    np.testing.assert_allclose(frame.loc[7, "time"], [0.0, 0.3, 1.1, 2.05])
    assert list(out.index) == [7, 8] and out.index.name == "source_id"
    assert out["epoch"].tolist() == [0.1, 9.5]


def test_phase_in_unit_interval_and_sorted():
    frame, _, _ = make_rrlyrae(50, kind="mixed", random_state=3)
    out = PhaseFolder().fit_transform(frame)
    for ph in out["phase"]:
        assert ph.min() >= 0.0 and ph.max() < 1.0
        assert np.all(np.diff(ph) >= 0)


def test_with_epoch_noiseless_magnitudes_match_truth():
    frame, _, truth = make_rrlyrae(40, kind="mixed", noise=False, random_state=0)
    out = PhaseFolder().fit_transform(frame)
    for i, (ph, mag) in enumerate(zip(out["phase"], out["mag"])):
        expected = rrlyrae_magnitudes(truth.iloc[[i]], ph)[0]
        np.testing.assert_allclose(mag, expected, atol=1e-9)


@pytest.mark.parametrize(
    "kind, median_tol, max_tol",
    # measured on 500 stars: median 0.0055 / 99th pct 0.024 (RRab),
    # 0.011 / 0.07 (RRc)
    [("ab", 0.012, 0.1), ("c", 0.02, 0.2)],
)
def test_without_epoch_recovers_maximum_light(kind, median_tol, max_tol):
    frame, _, truth = make_rrlyrae(200, kind=kind, random_state=1)
    fitted = PhaseFolder().fit_transform(frame.drop(columns="epoch"))
    # the injected phase of every epoch, computed from the true epoch
    err = []
    for t, ph, P, T0 in zip(
        fitted["time"], fitted["phase"], truth["period"], truth["epoch"]
    ):
        err.append(_circular(ph - (t - T0) / P))
    err = np.abs(np.concatenate(err))
    assert np.median(err) < median_tol
    assert err.max() < max_tol


def test_use_epoch_false_and_nan_epochs_use_the_fit():
    frame, _, _ = make_rrlyrae(20, kind="ab", noise=False, random_state=2)
    no_epoch = PhaseFolder().fit_transform(frame.drop(columns="epoch"))
    ignored = PhaseFolder(use_epoch=False).fit_transform(frame)
    half = frame.copy()
    half.loc[half.index[::2], "epoch"] = np.nan
    mixed = PhaseFolder().fit_transform(half)
    with_epoch = PhaseFolder().fit_transform(frame)
    for i in range(len(frame)):
        np.testing.assert_allclose(ignored["phase"].iloc[i], no_epoch["phase"].iloc[i])
        ref = no_epoch if i % 2 == 0 else with_epoch
        np.testing.assert_allclose(mixed["phase"].iloc[i], ref["phase"].iloc[i])


def test_refolding_a_folded_frame_is_idempotent():
    frame, _, _ = make_rrlyrae(10, random_state=4)
    once = PhaseFolder().fit_transform(frame)
    twice = PhaseFolder().fit_transform(once)
    for a, b in zip(once["phase"], twice["phase"]):
        np.testing.assert_allclose(a, b)


def test_without_mag_err_column():
    frame, _, _ = make_rrlyrae(5, random_state=0)
    out = PhaseFolder().fit_transform(frame.drop(columns="mag_err"))
    assert "mag_err" not in out.columns and "phase" in out.columns


def _tiny(period=(0.5, 0.6), time=None, mag=None):
    """Two-star frame built without validation (so bad values can be planted)."""
    t = np.linspace(0, 9, 10)
    col = np.empty(2, dtype=object)
    time_col, mag_col = col.copy(), col.copy()
    time_col[:] = time or [t, t.copy()]
    mag_col[:] = mag or [np.ones(10), np.ones(10)]
    return pd.DataFrame(
        {"time": time_col, "mag": mag_col, "period": np.asarray(period, float)},
        index=pd.Index([11, 12], name="source_id"),
    )


def test_missing_period_names_the_column():
    frame = _tiny().drop(columns="period")
    with pytest.raises(ValueError, match="'period'"):
        PhaseFolder().fit(frame)


def test_bad_period_names_source_id():
    frame = _tiny(period=[0.5, np.nan])
    with pytest.raises(ValueError, match="source_id=12.*period"):
        PhaseFolder().fit(frame)
    frame = _tiny(period=[-0.5, 0.5])
    with pytest.raises(ValueError, match="source_id=11.*period"):
        PhaseFolder().fit(frame)


def test_nan_magnitude_names_source_id():
    frame = _tiny(mag=[np.ones(10), np.r_[np.ones(9), np.nan]])
    with pytest.raises(ValueError, match="source_id=12.*'mag'.*NaN"):
        PhaseFolder().fit_transform(frame)


def test_unsorted_times_name_source_id():
    t = np.linspace(0, 9, 10)
    frame = _tiny(time=[t[::-1].copy(), t])
    with pytest.raises(ValueError, match="source_id=11: unsorted"):
        PhaseFolder().fit(frame)


def test_too_few_epochs_for_alignment_names_source_id():
    frame = make_frame(
        [np.linspace(0, 9, 10), np.linspace(0, 1, 5)],
        [np.ones(10), np.ones(5)],
        period=[0.5, 0.5],
        source_id=[21, 22],
    )
    with pytest.raises(ValueError, match="source_id=22: 5 epochs, fewer than the 9"):
        PhaseFolder().fit_transform(frame)
    # with an epoch the same star folds fine
    frame["epoch"] = 0.0
    assert len(PhaseFolder().fit_transform(frame)) == 2


def test_not_a_frame():
    with pytest.raises(TypeError, match="light-curve frame"):
        PhaseFolder().fit(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="lacks column"):
        PhaseFolder().fit(pd.DataFrame({"a": [1.0]}))


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3"])
def test_bad_n_harmonics(bad):
    with pytest.raises(ValueError, match="n_harmonics"):
        PhaseFolder(n_harmonics=bad).fit(_tiny())
