"""make_halo_iom: shapes, seeding and the relative placement of substructures."""

import numpy as np
import pytest

from skrrl.datasets import make_halo_iom


def test_shapes_names_and_seed():
    X, labels, names = make_halo_iom(3000, random_state=0)
    assert X.shape == (3000, 5) and labels.shape == (3000,)
    assert names[0] == "halo" and len(names) == 8
    assert set(np.unique(labels)) == set(range(8))
    X2, labels2, _ = make_halo_iom(3000, random_state=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(labels, labels2)
    assert np.all(X[:, 2:] >= 0)  # L_perp, J_r, J_z


def test_relative_positions_and_sizes():
    X, labels, names = make_halo_iom(20000, halo_fraction=0.3, random_state=1)
    mean = {n: X[labels == i].mean(axis=0) for i, n in enumerate(names)}
    E, Lz, Lp, Jr, Jz = range(5)
    assert mean["disc"][Lz] > 1500 and mean["Sequoia"][Lz] < -1800
    assert abs(mean["GSE"][Lz]) < 500 and mean["GSE"][Jr] > 1000
    assert mean["Thamnos"][Lz] < -500 and mean["Thamnos"][E] < mean["Sequoia"][E]
    assert mean["Helmi"][Lp] > 1600 and mean["Helmi"][Jz] > 800
    assert mean["Shiva"][E] < mean["Shakti"][E] < mean["Helmi"][E]
    frac = np.bincount(labels) / labels.size
    np.testing.assert_allclose(frac[0], 0.3, atol=0.02)
    # disc : GSE : Sequoia = 40 : 40 : 5 of the non-halo stars
    np.testing.assert_allclose(frac[1] / 0.7, 0.40, atol=0.02)
    np.testing.assert_allclose(frac[3] / 0.7, 0.05, atol=0.01)


def test_bad_arguments():
    with pytest.raises(ValueError, match="halo_fraction"):
        make_halo_iom(10, halo_fraction=1.0)
    with pytest.raises(ValueError, match="n_samples"):
        make_halo_iom(0)
