"""Hopkins statistic: ~0.5 under complete spatial randomness, near 1 for blobs."""

import numpy as np
import pytest

from skrrl.cluster import hopkins


def test_uniform_data_gives_one_half():
    values = [
        hopkins(np.random.RandomState(s).uniform(size=(2000, 3)), random_state=100 + s)
        for s in range(5)
    ]
    # under CSR H ~ Beta(m, m) with m = 200: sd ~ 0.035 per draw
    assert abs(np.mean(values) - 0.5) < 0.05


def test_tight_blobs_give_near_one():
    rng = np.random.RandomState(0)
    centers = rng.uniform(-10, 10, (4, 2))
    X = np.vstack([c + rng.normal(0, 0.05, (100, 2)) for c in centers])
    assert hopkins(X, random_state=1) > 0.95


def test_regular_lattice_is_below_one_half():
    g = np.arange(30.0)
    X = np.array(np.meshgrid(g, g)).reshape(2, -1).T
    assert hopkins(X, random_state=0) < 0.3


def test_seeded_and_sample_size():
    X = np.random.RandomState(0).normal(size=(300, 2))
    assert hopkins(X, random_state=5) == hopkins(X, random_state=5)
    assert 0 < hopkins(X, sample_size=20, random_state=0) < 1
    with pytest.raises(ValueError, match="sample_size"):
        hopkins(X, sample_size=1000)
    with pytest.raises(ValueError, match="sample_size"):
        hopkins(X, sample_size=-0.5)
    with pytest.raises(ValueError, match="n_samples=1"):
        hopkins(X[:1])
