"""K-fold splitters stratified on rank bins of a continuous target."""

import numbers
import warnings

import numpy as np
from sklearn.model_selection import BaseCrossValidator, StratifiedKFold
from sklearn.utils import check_random_state
from sklearn.utils.metadata_routing import UNUSED
from sklearn.utils.validation import check_consistent_length, column_or_1d

from skrrl.utils._docstring import Substitution, _random_state_docstring

__all__ = ["BinnedStratifiedKFold", "RepeatedBinnedStratifiedKFold", "rank_bins"]

_BINNING_NOTES = """\
The target is stratified by **rank bins**: the rows sorted by ``y`` (stable
    sort, ties keep their order) are cut into consecutive bins of ``bin_size``
    rows, i.e. ``bin = floor(rank / bin_size)``. When the last bin has fewer
    than ``min_bin_size`` rows it is merged into the one before it. This is the
    binning of Dékány & Grebel (2022) and Monti et al. (2024) (``y_indexes``:
    bins of 20, merged below 5 members), who ran scikit-learn's
    ``RepeatedStratifiedKFold`` on the bin labels; so do these splitters.

    Every fold's test set then spans the whole target range: each bin with at
    least ``n_splits`` rows has members in every test fold. A bin with fewer
    rows than folds (only the last bin can be one, when
    ``min_bin_size < n_splits``, for example ``n_splits=10``) puts each of its
    rows in a different fold, so some test folds lack it; scikit-learn's
    warning about a small class is silenced because this is expected. Use
    ``min_bin_size=n_splits`` to avoid it."""


def rank_bins(y, *, bin_size=20, min_bin_size=5):
    """Rank-bin labels of a continuous target.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Continuous target, finite.
    bin_size : int, default=20
        Number of consecutive sorted targets per bin.
    min_bin_size : int, default=5
        The last bin is merged into the previous one when it has fewer rows.

    Returns
    -------
    bins : ndarray of shape (n_samples,)
        Integer bin label of each row, 0 for the smallest targets.

    Examples
    --------
    >>> from skrrl.model_selection import rank_bins
    >>> rank_bins([0.5, -1.0, 0.1, -2.0, 0.3], bin_size=2, min_bin_size=2)
    array([1, 0, 1, 0, 1])
    """
    y = _check_y(y, "rank_bins")
    _check_int(bin_size, "bin_size", 1)
    _check_int(min_bin_size, "min_bin_size", 0)
    rank = np.empty(y.shape[0], dtype=np.intp)
    rank[np.argsort(y, kind="stable")] = np.arange(y.shape[0])
    bins = rank // bin_size
    last = bins.max()
    if last > 0 and np.count_nonzero(bins == last) < min_bin_size:
        bins[bins == last] = last - 1
    return bins


class _BaseBinnedKFold(BaseCrossValidator):
    """Shared binning and validation; subclasses define the fold generator."""

    # like StratifiedKFold: groups are accepted for API compatibility only
    __metadata_request__split = {"groups": UNUSED}

    def _bins(self, X, y):
        name = type(self).__name__
        _check_int(self.n_splits, "n_splits", 2)
        y = _check_y(y, name)
        if X is not None:
            check_consistent_length(X, y)
        n_samples = y.shape[0]
        if n_samples < self.n_splits:
            raise ValueError(
                f"{name}: cannot have n_splits={self.n_splits} greater than the "
                f"number of samples n_samples={n_samples}."
            )
        bins = rank_bins(y, bin_size=self.bin_size, min_bin_size=self.min_bin_size)
        if np.bincount(bins).max() < self.n_splits:
            raise ValueError(
                f"{name}: every rank bin has fewer than n_splits={self.n_splits} "
                f"rows; use bin_size >= n_splits (bin_size={self.bin_size})."
            )
        return bins

    def split(self, X, y, groups=None):
        """Generate train/test indices stratified on the rank bins of ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or None
            Training data; only its length is used.
        y : array-like of shape (n_samples,)
            Continuous target to stratify on.
        groups : object
            Ignored, for API compatibility.

        Yields
        ------
        train : ndarray
            Training indices of the split.
        test : ndarray
            Test indices of the split.
        """
        bins = self._bins(X, y)
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="The least populated class", category=UserWarning
            )
            # materialised inside the filter: a suspended generator would leak it
            folds = list(self._split_bins(bins))
        yield from folds


@Substitution(random_state=_random_state_docstring, notes=_BINNING_NOTES)
class BinnedStratifiedKFold(_BaseBinnedKFold):
    """K-fold cross-validation stratified on rank bins of a continuous target.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2.
    bin_size : int, default=20
        Number of consecutive sorted targets per bin.
    min_bin_size : int, default=5
        The last bin is merged into the previous one when it has fewer rows.
    shuffle : bool, default=True
        Shuffle each bin before assigning its rows to folds.
    {random_state}
        Used only when ``shuffle=True``.

    See Also
    --------
    RepeatedBinnedStratifiedKFold : Repeats this with different shuffles.
    rank_bins : The bin labels.
    sklearn.model_selection.StratifiedKFold : Runs on the bin labels.

    Notes
    -----
    {notes}

    Examples
    --------
    >>> import numpy as np
    >>> from skrrl.model_selection import BinnedStratifiedKFold
    >>> y = np.random.default_rng(0).normal(-1.5, 0.4, size=100)
    >>> cv = BinnedStratifiedKFold(n_splits=5, random_state=0)
    >>> [len(test) for _, test in cv.split(None, y)]
    [20, 20, 20, 20, 20]
    """

    def __init__(
        self,
        n_splits=5,
        *,
        bin_size=20,
        min_bin_size=5,
        shuffle=True,
        random_state=None,
    ):
        self.n_splits = n_splits
        self.bin_size = bin_size
        self.min_bin_size = min_bin_size
        self.shuffle = shuffle
        self.random_state = random_state

    def _split_bins(self, bins):
        cv = StratifiedKFold(
            n_splits=self.n_splits,
            shuffle=self.shuffle,
            random_state=self.random_state if self.shuffle else None,
        )
        return cv.split(np.zeros(bins.shape[0]), bins)

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splits, ``n_splits``.

        Parameters
        ----------
        X, y, groups : object
            Ignored, for API compatibility.

        Returns
        -------
        n_splits : int
            Number of train/test splits.
        """
        return self.n_splits


@Substitution(random_state=_random_state_docstring, notes=_BINNING_NOTES)
class RepeatedBinnedStratifiedKFold(_BaseBinnedKFold):
    """Repeated K-fold stratified on rank bins of a continuous target.

    Each repetition is a shuffled :class:`BinnedStratifiedKFold`; the bins are
    the same, the assignment of rows to folds differs.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds per repetition, at least 2.
    n_repeats : int, default=10
        Number of repetitions (scikit-learn's default; the original papers
        used 1).
    bin_size : int, default=20
        Number of consecutive sorted targets per bin.
    min_bin_size : int, default=5
        The last bin is merged into the previous one when it has fewer rows.
    {random_state}

    See Also
    --------
    BinnedStratifiedKFold : A single repetition.
    sklearn.model_selection.RepeatedStratifiedKFold : The same on class labels.

    Notes
    -----
    {notes}

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.model_selection import cross_val_score
    >>> from skrrl.model_selection import RepeatedBinnedStratifiedKFold
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3))
    >>> y = X @ [0.3, -0.2, 0.1] - 1.5
    >>> cv = RepeatedBinnedStratifiedKFold(n_splits=5, n_repeats=2, random_state=0)
    >>> cross_val_score(Ridge(alpha=1e-3), X, y, cv=cv).shape
    (10,)
    """

    def __init__(
        self,
        n_splits=5,
        *,
        n_repeats=10,
        bin_size=20,
        min_bin_size=5,
        random_state=None,
    ):
        self.n_splits = n_splits
        self.n_repeats = n_repeats
        self.bin_size = bin_size
        self.min_bin_size = min_bin_size
        self.random_state = random_state

    def _split_bins(self, bins):
        _check_int(self.n_repeats, "n_repeats", 1)
        rng = check_random_state(self.random_state)
        dummy = np.zeros(bins.shape[0])
        for _ in range(self.n_repeats):
            cv = StratifiedKFold(n_splits=self.n_splits, shuffle=True, random_state=rng)
            yield from cv.split(dummy, bins)

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splits, ``n_splits * n_repeats``.

        Parameters
        ----------
        X, y, groups : object
            Ignored, for API compatibility.

        Returns
        -------
        n_splits : int
            Number of train/test splits.
        """
        return self.n_splits * self.n_repeats


def _check_int(value, name, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}.")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}.")


def _check_y(y, owner):
    if y is None:
        raise ValueError(f"{owner} needs y, the continuous target to stratify on.")
    y = column_or_1d(np.asarray(y), warn=False)
    if y.shape[0] == 0:
        raise ValueError(f"{owner}: y is empty.")
    try:
        y = y.astype(float)
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: y must be numeric, got dtype {y.dtype}.") from None
    if not np.all(np.isfinite(y)):
        raise ValueError(
            f"{owner}: y contains {np.count_nonzero(~np.isfinite(y))} NaN or "
            "infinite values; rank bins need finite targets."
        )
    return y
