"""Hopkins statistic of cluster tendency."""

import numbers

import numpy as np
from sklearn.neighbors import KDTree
from sklearn.utils import check_array, check_random_state

from skrrl.utils._docstring import Substitution, _random_state_docstring


@Substitution(random_state=_random_state_docstring)
def hopkins(X, *, sample_size=0.1, random_state=None):
    """Compute the Hopkins statistic: ~0.5 for random data, near 1 if clustered.

    With ``m`` sampled rows, ``u_i`` the distance from ``m`` points drawn
    uniformly in the bounding box of ``X`` to their nearest row of ``X`` and
    ``w_i`` the distance from ``m`` rows of ``X`` (without replacement) to their
    nearest *other* row, ``H = sum(u**d) / (sum(u**d) + sum(w**d))`` with ``d``
    the number of features (Cross & Jain 1982). Under complete spatial
    randomness H follows Beta(m, m) (mean 0.5); H > 0.7 suggests clusters and
    H < 0.3 a regular lattice. Note that R's ``clustertend::hopkins`` returns
    ``1 - H``. Standardise the features first when their units differ.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data.
    sample_size : float or int, default=0.1
        ``m``: a fraction of ``n_samples`` in (0, 1], or a count (at least 1).
    {random_state}

    Returns
    -------
    H : float
        The Hopkins statistic in [0, 1].

    References
    ----------
    .. [1] Hopkins, B. & Skellam, J. G., Annals of Botany 18, 213 (1954).
    .. [2] Cross, G. R. & Jain, A. K., "Measurement of clustering tendency",
       IFAC Proceedings 15, 315 (1982).

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.cluster import hopkins
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(0, 0.01, (100, 2)), rng.normal(1, 0.01, (100, 2))])
    >>> hopkins(X, random_state=0) > 0.9
    True
    """
    X = check_array(X, dtype=np.float64)
    n, d = X.shape
    if n < 2:
        raise ValueError(f"hopkins needs at least 2 samples; got n_samples={n}.")
    if isinstance(sample_size, numbers.Integral) and not isinstance(sample_size, bool):
        m = int(sample_size)
    elif isinstance(sample_size, numbers.Real) and 0 < sample_size <= 1:
        m = max(1, int(round(sample_size * n)))
    else:
        raise ValueError(
            f"sample_size must be a fraction in (0, 1] or a count; got {sample_size!r}."
        )
    if not 1 <= m <= n:
        raise ValueError(f"sample_size must give 1 <= m <= n_samples={n}; got {m}.")
    rng = check_random_state(random_state)
    tree = KDTree(X)
    lo, hi = X.min(axis=0), X.max(axis=0)
    uniform = lo + (hi - lo) * rng.uniform(size=(m, d))
    u = tree.query(uniform, k=1)[0][:, 0]
    rows = rng.choice(n, size=m, replace=False)
    w = tree.query(X[rows], k=2)[0][:, 1]
    # scale before the d-th power so that large d cannot overflow
    scale = max(u.max(), w.max())
    if scale == 0:
        return 0.5
    su, sw = np.sum((u / scale) ** d), np.sum((w / scale) ** d)
    return float(su / (su + sw))
