"""FourierFeatures: known Fourier parameters of simulated and hand-made curves."""

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skrrl.datasets import make_rrlyrae
from skrrl.frame import make_frame
from skrrl.preprocessing import FourierFeatures, PhaseFolder


def _wrapped(a, b):
    return np.abs((np.asarray(a) - np.asarray(b) + np.pi) % (2 * np.pi) - np.pi)


def test_hand_made_cosine_and_sine_series():
    t = np.linspace(0.0, 20.0, 80)
    P = 0.6
    x = 2 * np.pi * t / P
    # cosine convention: phi1 = 0.3, phi2 = 2.0, phi3 = -1.0
    mag = 16 + 0.3 * np.cos(x + 0.3) + 0.12 * np.cos(2 * x + 2.0)
    mag += 0.06 * np.cos(3 * x - 1.0)
    frame = make_frame([t], [mag], period=[P])
    cos = FourierFeatures(n_harmonics=3).fit_transform(frame)[0]
    names = list(FourierFeatures(n_harmonics=3).fit(frame).get_feature_names_out())
    assert names == ["period", "A0", "A1", "A2", "A3", "R21", "R31", "phi21", "phi31"]
    np.testing.assert_allclose(cos[:7], [P, 16, 0.3, 0.12, 0.06, 0.4, 0.2], atol=1e-8)
    assert _wrapped(cos[7], 2.0 - 0.6) < 1e-8
    assert _wrapped(cos[8], -1.0 - 0.9) < 1e-8
    # sine convention: phi_k1(cos) = phi_k1(sin) + (k - 1) pi / 2
    sin = FourierFeatures(n_harmonics=3, convention="sine").fit_transform(frame)[0]
    np.testing.assert_allclose(sin[:7], cos[:7])
    assert _wrapped(cos[7], sin[7] + np.pi / 2) < 1e-8
    assert _wrapped(cos[8], sin[8] + np.pi) < 1e-8
    assert 0 <= sin[8] < 2 * np.pi and 0 <= cos[8] < 2 * np.pi


def test_recovers_simulated_r21_phi31():
    frame, _, truth = make_rrlyrae(
        60, kind="mixed", noise=False, n_epochs=40, n_epochs_sigma=0, random_state=0
    )
    ff = FourierFeatures(n_harmonics=6).fit(frame)
    feats = dict(zip(ff.get_feature_names_out(), ff.transform(frame).T))
    np.testing.assert_allclose(feats["R21"], truth["R21"], atol=1e-6)
    np.testing.assert_allclose(feats["A1"], truth["A1"], atol=1e-6)
    np.testing.assert_allclose(feats["A0"], truth["mean_mag"], atol=1e-6)
    # RRc with 2 harmonics have no phi31 in the truth
    has3 = truth["n_harmonics"].to_numpy() >= 3
    assert has3.sum() > 20 and np.isnan(truth["phi31"][~has3]).all()
    assert _wrapped(feats["phi31"][has3], truth["phi31"][has3]).max() < 1e-5
    np.testing.assert_allclose(feats["R31"][~has3], 0.0, atol=1e-6)
    assert _wrapped(feats["phi21"], truth["phi21"]).max() < 1e-5


def test_folded_and_unfolded_frames_give_the_same_features():
    frame, _, _ = make_rrlyrae(20, kind="ab", random_state=1)
    ff = FourierFeatures().fit(frame)
    a = ff.transform(frame)
    b = ff.transform(PhaseFolder().fit_transform(frame))
    np.testing.assert_allclose(a[:, :9], b[:, :9], atol=1e-9)  # P, A0, A_k, R_k1
    assert _wrapped(a[:, 9:], b[:, 9:]).max() < 1e-9


def test_use_errors_weighted_fit():
    frame, _, truth = make_rrlyrae(30, kind="ab", random_state=2)
    plain = FourierFeatures().fit_transform(frame)
    weighted = FourierFeatures(use_errors=True).fit_transform(frame)
    assert np.isfinite(weighted).all()
    assert not np.allclose(plain, weighted)
    with pytest.raises(ValueError, match="mag_err"):
        FourierFeatures(use_errors=True).fit(frame.drop(columns="mag_err"))


def test_linear_metallicity_relation_from_features():
    # the simulator draws RRab [Fe/H] from Li et al. (2023):
    # -1.888 - 5.772 (P - 0.6) + 1.090 (phi31 - 2.0) + 1.065 (R21 - 0.45)
    frame, y, _ = make_rrlyrae(
        150,
        kind="ab",
        feh_scatter=0.0,
        noise=False,
        n_epochs=40,
        n_epochs_sigma=0.0,
        random_state=3,
    )
    ff = FourierFeatures(n_harmonics=6)
    names = list(ff.fit(frame).get_feature_names_out())
    cols = [names.index(c) for c in ("period", "phi31", "R21")]
    model = make_pipeline(
        ff, FunctionTransformer(lambda X: X[:, cols]), LinearRegression()
    )
    model.fit(frame, y)
    np.testing.assert_allclose(model[-1].coef_, [-5.772, 1.090, 1.065], atol=1e-6)


def test_too_few_epochs_and_bad_params():
    frame = make_frame(
        [np.linspace(0, 1, 8), np.linspace(0, 1, 20)],
        [np.ones(8), np.ones(20)],
        period=[0.5, 0.5],
        source_id=[41, 42],
    )
    with pytest.raises(ValueError, match="source_id=41: 8 epochs, fewer than the 9"):
        FourierFeatures().fit(frame)
    with pytest.raises(ValueError, match="'period'"):
        FourierFeatures(n_harmonics=2).fit(frame.drop(columns="period"))
    with pytest.raises(ValueError, match="convention"):
        FourierFeatures(convention="tan").fit(frame)
    with pytest.raises(ValueError, match="n_harmonics"):
        FourierFeatures(n_harmonics=0).fit(frame)
