"""Tests of the Gaia-like RR Lyrae simulator against independent expectations."""

import numpy as np
import pandas as pd
import pytest

from skrrl.datasets import make_rrlyrae, rrlyrae_magnitudes
from skrrl.frame import to_ragged, validate_frame

DR3_SPAN = (1666.4, 2704.4)
FOV_LAG = 106.5 / 1440  # days between the two fields of view
SPIN = 0.25  # days


def li2023(kind, period, phi31, r21):
    """Li et al. (2023) G-band relations, written out independently of skrrl."""
    ab = -1.888 - 5.772 * (period - 0.6) + 1.090 * (phi31 - 2.0) + 1.065 * (r21 - 0.45)
    c = -1.737 - 9.968 * (period - 0.3) - 5.041 * (r21 - 0.2)
    return np.where(kind == "RRab", ab, c)


def rmse(a, b):
    return float(np.sqrt(np.mean((a - b) ** 2)))


def noiseless(frame, truth):
    """Noiseless magnitude at every epoch, through the public phase convention."""
    phase = [
        (t - e) / p
        for t, e, p in zip(frame["time"], frame["epoch"], frame["period"], strict=True)
    ]
    return np.concatenate(
        [rrlyrae_magnitudes(truth.iloc[[i]], ph)[0] for i, ph in enumerate(phase)]
    )


@pytest.fixture(scope="module")
def mixed():
    return make_rrlyrae(4000, kind="mixed", random_state=7)


def fourier_fit(phase, mag, n_harmonics):
    """Least-squares cosine-convention Fourier fit: amplitudes and phases."""
    k = np.arange(1, n_harmonics + 1)
    arg = 2 * np.pi * np.outer(phase, k)
    design = np.hstack([np.ones((len(phase), 1)), np.cos(arg), np.sin(arg)])
    coef = np.linalg.lstsq(design, mag, rcond=None)[0]
    a, b = coef[1 : n_harmonics + 1], coef[n_harmonics + 1 :]
    # a cos(x) + b sin(x) = A cos(x + phi) with A cos(phi) = a, A sin(phi) = -b
    return coef[0], np.hypot(a, b), np.arctan2(-b, a)


def circular_diff(a, b):
    return np.angle(np.exp(1j * (np.asarray(a) - np.asarray(b))))


def test_shapes_and_valid_frame(mixed):
    frame, y, truth = mixed
    assert y.shape == (4000,)
    validate_frame(frame, require_epoch=True, min_epochs=12)
    assert frame.index.dtype == np.int64 and frame.index.name == "source_id"
    assert truth.index.equals(frame.index)
    assert list(frame.columns) == ["time", "mag", "mag_err", "period", "epoch", "kind"]
    n = np.array([len(t) for t in frame["time"]])
    assert np.array_equal(n, truth["n_epochs"])
    assert all(len(m) == k for m, k in zip(frame["mag_err"], n, strict=True))
    np.testing.assert_array_equal(truth["feh"], y)
    assert set(frame["kind"]) == {"RRab", "RRc"}
    assert 0.62 < (frame["kind"] == "RRab").mean() < 0.68


def test_reproducible_and_seeded():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (checks the global RNG)
    a = make_rrlyrae(30, kind="mixed", outlier_fraction=0.1, random_state=3)
    b = make_rrlyrae(30, kind="mixed", outlier_fraction=0.1, random_state=3)
    c = make_rrlyrae(30, kind="mixed", outlier_fraction=0.1, random_state=4)
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    for col in ("time", "mag", "mag_err"):
        assert np.array_equal(to_ragged(a[0], col)[0], to_ragged(b[0], col)[0])
    pd.testing.assert_frame_equal(
        a[2].drop(columns=["amplitudes", "phases", "outlier"]),
        b[2].drop(columns=["amplitudes", "phases", "outlier"]),
    )
    assert not np.array_equal(a[1], c[1])
    d = make_rrlyrae(30, kind="mixed", random_state=np.random.RandomState(3))
    e = make_rrlyrae(30, kind="mixed", random_state=3)
    np.testing.assert_array_equal(d[1], e[1])


def test_ragged_output_matches_frame():
    frame, y, truth = make_rrlyrae(50, random_state=1)
    data, y2, _ = make_rrlyrae(50, random_state=1, return_frame=False)
    np.testing.assert_array_equal(y, y2)
    for col in ("time", "mag", "mag_err"):
        values, offsets = to_ragged(frame, col)
        np.testing.assert_array_equal(values, data[col])
        np.testing.assert_array_equal(offsets, data["offsets"])
    np.testing.assert_array_equal(data["period"], frame["period"])
    np.testing.assert_array_equal(data["source_id"], frame.index)


def test_cadence_gaia_like(mixed):
    frame, _, truth = mixed
    times, offsets = to_ragged(frame, "time")
    assert times.min() >= DR3_SPAN[0] and times.max() <= DR3_SPAN[1]
    counts = truth["n_epochs"].to_numpy()
    assert counts.min() >= 12 and counts.max() <= 250
    assert 40 <= np.median(counts) <= 44  # lognormal median 42
    assert 43 <= counts.mean() <= 50  # DR3 average is about 46
    steps = np.concatenate([np.diff(t) for t in frame["time"]])
    short = steps[steps < 1]
    # transits of one visit: 106.5 min, 253.5 min (= 6 h - 106.5 min) or 6 h apart,
    # in about the proportions of real DR3 light curves (58 %, 33 %, 8.5 %)
    lag = np.isclose(short, FOV_LAG, atol=1e-9)
    back = np.isclose(short, SPIN - FOV_LAG, atol=1e-9)
    spin = np.isclose(short, SPIN, atol=1e-9)
    assert np.all(lag | back | spin)
    assert 0.45 < lag.mean() < 0.7 and 0.2 < back.mean() < 0.45
    assert 0.03 < spin.mean() < 0.15
    # a source seen in both FoV on consecutive spins: 6 h between alternate transits
    six_hours = np.concatenate(
        [np.isclose(t[2:] - t[:-2], SPIN, atol=1e-9) for t in frame["time"]]
    )
    assert six_hours.mean() > 0.03
    # visits weeks apart, covering most of the 34-month span
    visits = steps[steps > 1]
    assert 15 < np.median(visits) < 45  # real DR3: 33 d
    span = np.array([t[-1] - t[0] for t in frame["time"]])
    assert span.min() > 0.8 * (DR3_SPAN[1] - DR3_SPAN[0])


def test_fixed_and_per_star_epoch_counts():
    frame, _, _ = make_rrlyrae(20, n_epochs=30, n_epochs_sigma=0, random_state=0)
    assert {len(t) for t in frame["time"]} == {30}
    counts = np.arange(20, 40)
    frame, _, _ = make_rrlyrae(20, n_epochs=counts, random_state=0)
    np.testing.assert_array_equal([len(t) for t in frame["time"]], counts)
    with pytest.raises(ValueError, match="n_epochs"):
        make_rrlyrae(20, n_epochs=counts[:5])
    # densely sampled stars for near-noiseless checks: the bounds widen
    frame, _, truth = make_rrlyrae(20, n_epochs=600, random_state=0)
    validate_frame(frame, min_epochs=150)
    assert 400 < np.median(truth["n_epochs"]) < 800
    with pytest.raises(ValueError, match="1000"):
        make_rrlyrae(2, n_epochs=[10, 2000])


def test_epoch_is_maximum_light(mixed):
    _, _, truth = mixed
    sub = truth.iloc[:300]
    grid = np.linspace(-0.5, 0.5, 10001)
    curve = rrlyrae_magnitudes(sub, grid)
    assert np.abs(grid[curve.argmin(axis=1)]).max() <= 1e-4  # grid spacing
    # peak-to-peak of the noiseless curve is the stated amplitude
    np.testing.assert_allclose(np.ptp(curve, axis=1), sub["amplitude"], atol=1e-5)
    # RRab rise steeply and decline slowly: minimum light shortly before maximum
    ab = (sub["kind"] == "RRab").to_numpy()
    rise = -grid[curve.argmax(axis=1)]
    rise = np.where(rise < 0, rise + 1, rise)
    assert 0.12 < np.median(rise[ab]) < 0.3
    assert np.mean(rise[ab] < 0.4) > 0.95


def test_fourier_fit_recovers_truth_cosine_convention(mixed):
    _, _, truth = mixed
    sub = truth[truth["kind"] == "RRab"].iloc[:40]
    phase = np.linspace(0, 1, 300, endpoint=False)
    curve = rrlyrae_magnitudes(sub, phase)
    r21, r31, phi21, phi31 = [], [], [], []
    for mag in curve:
        a0, amp, phi = fourier_fit(phase, mag, 6)
        r21.append(amp[1] / amp[0])
        r31.append(amp[2] / amp[0])
        phi21.append(phi[1] - 2 * phi[0])
        phi31.append(phi[2] - 3 * phi[0])
    np.testing.assert_allclose(r21, sub["R21"], atol=1e-9)
    np.testing.assert_allclose(r31, sub["R31"], atol=1e-9)
    assert np.abs(circular_diff(phi21, sub["phi21"])).max() < 1e-8
    assert np.abs(circular_diff(phi31, sub["phi31"])).max() < 1e-8
    # cosine-convention Gaia G RRab: phi31 near 2.0-2.4 rad, phi21 near 4.2
    assert 1.9 < np.median(np.mod(phi31, 2 * np.pi)) < 2.6
    assert 3.9 < np.median(np.mod(phi21, 2 * np.pi)) < 4.4


def test_scalar_and_array_truth_columns_agree(mixed):
    _, _, truth = mixed
    sub = truth.iloc[:50]
    phase = np.random.RandomState(0).uniform(-3, 3, (50, 17))
    a = rrlyrae_magnitudes(sub, phase)
    b = rrlyrae_magnitudes(sub.drop(columns=["amplitudes", "phases"]), phase)
    np.testing.assert_allclose(a, b, atol=1e-12)
    # by hand for one star, cosine model
    row = sub.iloc[3]
    k = np.arange(1, row["n_harmonics"] + 1)
    amp = row[[f"A{i}" for i in k]].to_numpy(float)
    phi = row[[f"phi{i}" for i in k]].to_numpy(float)
    hand = row["mean_mag"] + (
        amp * np.cos(2 * np.pi * np.outer(phase[3], k) + phi)
    ).sum(axis=1)
    np.testing.assert_allclose(a[3], hand, atol=1e-12)
    with pytest.raises(ValueError, match="phase"):
        rrlyrae_magnitudes(sub, np.zeros((3, 4)))


@pytest.mark.parametrize("kind", ["ab", "c"])
def test_relation_floor_equals_injected_scatter(kind):
    _, y, truth = make_rrlyrae(5000, kind=kind, feh_scatter=0.2, random_state=11)
    kinds, period = truth["kind"].to_numpy(), truth["period"].to_numpy()
    pred = li2023(kinds, period, truth["phi31"].to_numpy(), truth["R21"].to_numpy())
    # RMSE of 5000 draws of N(0, 0.2) is 0.2 within ~1 %
    assert abs(rmse(pred, y) - 0.2) < 0.2 * 0.05
    np.testing.assert_allclose(pred, truth["feh_relation"], atol=1e-10)
    # the residual is independent of the light curve: nothing can beat the floor
    resid = y - pred
    for feature in (period, pred, truth["amplitude"], truth["mean_mag"]):
        assert abs(np.corrcoef(resid, feature)[0, 1]) < 0.05
    _, y0, truth0 = make_rrlyrae(2000, kind=kind, feh_scatter=0.0, random_state=2)
    pred0 = li2023(
        truth0["kind"].to_numpy(),
        truth0["period"].to_numpy(),
        truth0["phi31"].to_numpy(),
        truth0["R21"].to_numpy(),
    )
    assert rmse(pred0, y0) < 1e-10
    # [Fe/H] follows the halo prior whatever the scatter (mean -1.41, sd ~0.51)
    for sample in (y, y0):
        assert -1.52 < sample.mean() < -1.36
        assert 0.44 < sample.std() < 0.56


def test_phi31_from_relation(mixed):
    _, y, truth = mixed
    ab = truth[truth["kind"] == "RRab"]
    pred = li2023("RRab", ab["period"], ab["phi31_from_relation"], ab["R21"])
    np.testing.assert_allclose(pred, ab["feh"], atol=1e-10)


def test_noise_matches_mag_err(mixed):
    frame, _, truth = mixed
    sub, tsub = frame.iloc[:600], truth.iloc[:600]
    clean = noiseless(sub, tsub)
    mag, err = to_ragged(sub, "mag")[0], to_ragged(sub, "mag_err")[0]
    z = (mag - clean) / err
    assert abs(z.std() - 1) < 0.03 and abs(z.mean()) < 0.03
    # the error is the DR3 envelope at the epoch's magnitude plus 0.01 mag jitter
    rel = 10 ** np.maximum(0.25 * (clean - 20) - 1.6, -3.2)
    np.testing.assert_allclose(err, np.hypot(1.0857 * rel, 0.01), rtol=1e-10)
    assert tsub["mean_mag"].between(13, 20).all()
    _, _, t2 = make_rrlyrae(5, mag_range=(19.5, 20.0), jitter=0.0, random_state=0)
    assert t2["noise_sigma"].between(0.0205, 0.0273).all()


def test_noiseless_option():
    frame, _, truth = make_rrlyrae(40, kind="mixed", noise=False, random_state=5)
    np.testing.assert_allclose(
        to_ragged(frame, "mag")[0], noiseless(frame, truth), atol=1e-9
    )


def test_outliers_at_requested_fraction():
    frame, _, truth = make_rrlyrae(
        1500, kind="mixed", outlier_fraction=0.05, random_state=9
    )
    mask = np.concatenate(truth["outlier"].to_numpy())
    assert abs(mask.mean() - 0.05) < 0.005
    assert truth["n_outliers"].sum() == mask.sum()
    sub, tsub = frame.iloc[:300], truth.iloc[:300]
    m = np.concatenate(tsub["outlier"].to_numpy())
    z = (to_ragged(sub, "mag")[0] - noiseless(sub, tsub)) / to_ragged(sub, "mag_err")[0]
    assert np.abs(z[m]).min() > 5  # displaced by 0.5-2 mag, far beyond the error
    assert abs(z[~m].std() - 1) < 0.05
    _, _, clean = make_rrlyrae(100, random_state=9)
    assert clean["n_outliers"].sum() == 0


def test_period_amplitude_distributions():
    _, _, ab = make_rrlyrae(6000, kind="ab", random_state=4)
    p = np.percentile(ab["period"], [5, 50, 95])
    np.testing.assert_allclose(p, [0.453, 0.567, 0.705], atol=0.015)  # OGLE-III RRab
    a = np.percentile(ab["amplitude"], [5, 50, 95])
    np.testing.assert_allclose(a, [0.35, 0.70, 1.03], atol=0.05)  # Gaia DR2 G RRab
    r = np.percentile(ab["R21"], [16, 50, 84])
    np.testing.assert_allclose(r, [0.39, 0.48, 0.57], atol=0.03)
    assert set(ab["n_harmonics"]) == {4, 5, 6}
    _, _, c = make_rrlyrae(6000, kind="c", random_state=4)
    pc = np.percentile(c["period"], [5, 50, 95])
    # OGLE-III RRc 0.258/0.322/0.399, shortened where the relation needs it
    assert 0.23 < pc[0] < 0.27 and 0.29 < pc[1] < 0.33 and 0.35 < pc[2] < 0.41
    assert 0.29 < np.median(c["amplitude"]) < 0.37  # OGLE I 0.26 scaled to G
    assert 0.08 < np.median(c["R21"]) < 0.16  # OGLE-III RRc 0.12
    assert set(c["n_harmonics"]) == {2, 3}


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_stars": 0}, "n_stars"),
        ({"n_stars": 2.5}, "n_stars"),
        ({"kind": "d"}, "kind"),
        ({"feh_scatter": -0.1}, "feh_scatter"),
        ({"mag_range": (20, 13)}, "mag_range"),
        ({"jitter": -1}, "jitter"),
        ({"outlier_fraction": 1.0}, "outlier_fraction"),
        ({"n_epochs": 0}, "n_epochs"),
        ({"n_epochs_sigma": -1}, "n_epochs_sigma"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make_rrlyrae(**{"n_stars": 3, **kwargs})


def _step_mix(times):
    """Fractions of within-visit steps of 106.5 min, 253.5 min, 6 h; median gap."""
    steps = np.concatenate([np.diff(t) for t in times])
    short = steps[steps < 1]
    fractions = [
        np.isclose(short, dt, atol=2e-3).mean()
        for dt in (FOV_LAG, SPIN - FOV_LAG, SPIN)
    ]
    return np.array(fractions), np.median(steps[steps > 1])


def test_cadence_and_noise_match_real_dr3(shared_data):
    """Simulated cadence and errors against 518 real DR3 G light curves."""
    files = sorted((shared_data / "liu2020_dr3" / "LC").glob("*.csv"))[:200]
    if not files:
        pytest.skip("no liu2020_dr3 light curves")
    real = [pd.read_csv(f) for f in files]
    real_mix, real_gap = _step_mix([d["time"].to_numpy() for d in real])
    n_real = int(np.median([len(d) for d in real]))
    frame, _, truth = make_rrlyrae(1000, n_epochs=n_real, random_state=0)
    sim_mix, sim_gap = _step_mix(frame["time"])
    np.testing.assert_allclose(sim_mix, real_mix, atol=0.06)
    assert 0.6 < sim_gap / real_gap < 1.4
    # real per-epoch flux errors follow the envelope used by the simulator
    ratio = [
        np.median(d["flux_error"] / d["flux"])
        / 10 ** max(0.25 * (np.median(d["mag"]) - 20) - 1.6, -3.2)
        for d in real
    ]
    assert 0.8 < np.median(ratio) < 1.25


def test_chunked_simulation_is_consistent(monkeypatch):
    from skrrl.datasets import _simulate

    monkeypatch.setattr(_simulate, "_CHUNK", 7)
    frame, y, truth = make_rrlyrae(30, kind="mixed", noise=False, random_state=1)
    validate_frame(frame, require_epoch=True, min_epochs=12)
    np.testing.assert_array_equal([len(t) for t in frame["time"]], truth["n_epochs"])
    np.testing.assert_allclose(
        to_ragged(frame, "mag")[0], noiseless(frame, truth), atol=1e-9
    )
    pred = li2023(
        truth["kind"].to_numpy(),
        truth["period"].to_numpy(),
        truth["phi31"].to_numpy(),
        truth["R21"].to_numpy(),
    )
    np.testing.assert_allclose(pred, truth["feh_relation"], atol=1e-10)
