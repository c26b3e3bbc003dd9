"""Synthetic integrals-of-motion sample of halo substructures."""

import numpy as np
from sklearn.utils import check_random_state

from skrrl.utils._docstring import Substitution, _random_state_docstring

FEATURES = ("E", "Lz", "Lperp", "Jr", "Jz")

# Ranges (low, high) per feature, compiled from the literature (Helmi et al. 2018;
# Lövdal et al. 2022; Malhan & Rix 2024)
# (prograde = Lz > 0; E in km^2 s^-2 for a McMillan17-like potential; L and J in
# kpc km/s). They are relative placements, not fits. Each structure is drawn as
# an axis-aligned Gaussian centred on the range with sigma = width / 4.
_STRUCTURES = {
    "disc": ((-1.6e5, -1.5e5), (1500, 2100), (0, 500), (0, 150), (0, 100), 40),
    "GSE": ((-1.8e5, -1.1e5), (-500, 500), (0, 1500), (900, 2500), (50, 500), 40),
    "Sequoia": (
        (-1.1e5, -0.9e5),
        (-3000, -1800),
        (500, 2000),
        (300, 1000),
        (100, 800),
        5,
    ),
    "Helmi": ((-1.6e5, -1.4e5), (1000, 1500), (1600, 3200), (200, 600), (800, 2000), 5),
    "Thamnos": ((-1.8e5, -1.6e5), (-1500, -500), (0, 800), (100, 400), (50, 300), 4),
    "Shiva": ((-1.95e5, -1.85e5), (500, 1000), (0, 400), (0, 200), (0, 200), 3),
    "Shakti": ((-1.8e5, -1.7e5), (1000, 1500), (0, 400), (0, 200), (0, 200), 3),
}


@Substitution(random_state=_random_state_docstring)
def make_halo_iom(n_samples=2000, *, halo_fraction=0.3, random_state=None):
    """Draw a synthetic halo sample in integrals-of-motion space.

    Seven substructures (disc, GSE, Sequoia, Helmi streams, Thamnos, Shiva,
    Shakti) sit at realistic relative positions in (E, Lz, L_perp, J_r, J_z)
    with relative sizes 40 : 40 : 5 : 5 : 4 : 3 : 3, on a smooth halo
    background. Positions are approximate literature placements (Helmi et al.
    2018; Lövdal et al. 2022; Malhan & Rix 2024; prograde = Lz > 0); each
    structure is an axis-aligned Gaussian whose mean is the middle of the
    tabulated range and whose sigma is a quarter of its width. The background
    is broad: E uniform in [-2.0e5, -0.8e5], Lz ~ N(0, 1500), and half-normal
    L_perp (1200), J_r (1000) and J_z (600).
    Non-negative quantities (L_perp, J_r, J_z) are reflected at zero.

    Parameters
    ----------
    n_samples : int, default=2000
        Total number of stars.
    halo_fraction : float, default=0.3
        Fraction of stars in the smooth background, in [0, 1).
    {random_state}

    Returns
    -------
    X : ndarray of shape (n_samples, 5)
        Columns E (km^2 s^-2), Lz, L_perp, J_r, J_z (kpc km/s).
    labels : ndarray of shape (n_samples,)
        0 for the smooth halo, ``i`` for structure ``names[i]``.
    names : list of str
        ``names[label]``; ``names[0] == "halo"``.

    Examples
    --------
    >>> from skrrl.datasets import make_halo_iom
    >>> X, labels, names = make_halo_iom(500, random_state=0)
    >>> X.shape, names[:3]
    ((500, 5), ['halo', 'disc', 'GSE'])
    """
    if not (isinstance(n_samples, int | np.integer) and n_samples >= 1):
        raise ValueError(f"n_samples must be a positive int; got {n_samples!r}.")
    if not 0 <= halo_fraction < 1:
        raise ValueError(f"halo_fraction must be in [0, 1); got {halo_fraction!r}.")
    rng = check_random_state(random_state)
    names = ["halo", *_STRUCTURES]
    weights = np.array([s[-1] for s in _STRUCTURES.values()], dtype=float)
    probs = np.concatenate(
        [[halo_fraction], (1 - halo_fraction) * weights / weights.sum()]
    )
    counts = rng.multinomial(n_samples, probs)
    labels = np.repeat(np.arange(len(names)), counts)
    X = np.empty((n_samples, len(FEATURES)))
    m = counts[0]
    X[:m, 0] = rng.uniform(-2.0e5, -0.8e5, m)
    X[:m, 1] = rng.normal(0, 1500, m)
    X[:m, 2:] = rng.normal(0, 1, (m, 3)) * np.array([1200.0, 1000.0, 600.0])
    start = m
    for (*ranges, _), count in zip(_STRUCTURES.values(), counts[1:]):
        lo, hi = np.array(ranges, dtype=float).T
        X[start : start + count] = rng.normal((lo + hi) / 2, (hi - lo) / 4, (count, 5))
        start += count
    X[:, 2:] = np.abs(X[:, 2:])
    order = rng.permutation(n_samples)
    return X[order], labels[order], names
