"""Rank-binned stratified K-fold splitters."""

import warnings

import numpy as np
import pytest
import sklearn
from sklearn.linear_model import Ridge
from sklearn.model_selection import (
    GridSearchCV,
    RepeatedStratifiedKFold,
    cross_val_score,
    cross_validate,
)

from skrrl.model_selection import (
    BinnedStratifiedKFold,
    RepeatedBinnedStratifiedKFold,
    rank_bins,
)


def original_bins(y, bin_size=20, min_size=5):
    """The original y_indexes: rank, floor(rank / 20), merge a last bin < 5."""
    rank = np.zeros(y.size)
    rank[np.argsort(y)] = np.arange(y.size)
    bins = np.floor(rank / bin_size).astype(int)
    if np.min(np.bincount(bins)) < min_size:
        bins[bins == bins.max()] = bins.max() - 1
    return bins


@pytest.fixture
def y():
    return np.random.default_rng(3).normal(-1.5, 0.5, size=203)


def test_rank_bins_by_hand():
    y = np.array([0.5, -1.0, 0.1, -2.0, 0.3, -0.4, 0.0])
    # sorted: -2.0, -1.0, -0.4 | 0.0, 0.1, 0.3 | 0.5 (last bin of 1 < 2: merged)
    np.testing.assert_array_equal(
        rank_bins(y, bin_size=3, min_bin_size=2), [1, 0, 1, 0, 1, 0, 1]
    )
    np.testing.assert_array_equal(
        rank_bins(y, bin_size=3, min_bin_size=1), [2, 0, 1, 0, 1, 0, 1]
    )


@pytest.mark.parametrize(
    ("n", "counts"), [(104, [20] * 4 + [24]), (105, [20] * 5 + [5])]
)
def test_small_last_bin_merged_below_five(n, counts):
    y = np.random.default_rng(n).normal(size=n)
    bins = rank_bins(y)
    np.testing.assert_array_equal(np.bincount(bins), counts)
    np.testing.assert_array_equal(bins, original_bins(y))
    # bins are ordered by the target
    assert all(y[bins == b].max() <= y[bins == b + 1].min() for b in range(bins.max()))


def test_single_bin_is_never_merged():
    np.testing.assert_array_equal(rank_bins([3.0, 1.0, 2.0]), [0, 0, 0])


@pytest.mark.parametrize(
    "cv",
    [
        BinnedStratifiedKFold(5, random_state=0),
        BinnedStratifiedKFold(5, shuffle=False),
        RepeatedBinnedStratifiedKFold(5, n_repeats=3, random_state=0),
    ],
)
def test_folds_cover_every_bin_and_partition_rows(cv, y):
    bins = rank_bins(y)
    splits = list(cv.split(None, y))
    assert len(splits) == cv.get_n_splits()
    n_splits = cv.n_splits
    for start in range(0, len(splits), n_splits):
        repeat = splits[start : start + n_splits]
        tests = np.concatenate([test for _, test in repeat])
        # every row is tested exactly once per repeat
        np.testing.assert_array_equal(np.sort(tests), np.arange(y.size))
        for train, test in repeat:
            assert np.intersect1d(train, test).size == 0
            assert train.size + test.size == y.size
            for b, count in enumerate(np.bincount(bins)):
                in_test = np.count_nonzero(bins[test] == b)
                # StratifiedKFold: floor or ceil of the bin's share
                assert count // n_splits <= in_test <= -(-count // n_splits)
            # so the test fold spans the target range
            assert y[test].min() <= np.sort(y)[19] and y[test].max() >= np.sort(y)[-20]


def test_reproducible_and_repeats_differ(y):
    cv = RepeatedBinnedStratifiedKFold(5, n_repeats=2, random_state=7)
    first = [test for _, test in cv.split(None, y)]
    second = [test for _, test in cv.split(None, y)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(first[:5], first[5:]))
    other = [
        test
        for _, test in RepeatedBinnedStratifiedKFold(
            5, n_repeats=2, random_state=8
        ).split(None, y)
    ]
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))
    one = BinnedStratifiedKFold(5, random_state=7)
    for (_, a), (_, b) in zip(one.split(None, y), one.split(None, y)):
        np.testing.assert_array_equal(a, b)


def test_same_folds_as_the_original_recipe(y):
    # RepeatedStratifiedKFold(n_splits=10, n_repeats=1, random_state=42) on y_indexes
    ours = RepeatedBinnedStratifiedKFold(10, n_repeats=1, random_state=42)
    theirs = RepeatedStratifiedKFold(n_splits=10, n_repeats=1, random_state=42)
    X = np.zeros((y.size, 1))
    for (tr1, te1), (tr2, te2) in zip(
        ours.split(X, y), theirs.split(X, original_bins(y)), strict=True
    ):
        np.testing.assert_array_equal(te1, te2)
        np.testing.assert_array_equal(tr1, tr2)


def test_bin_smaller_than_n_splits_is_spread_without_warning():
    y = np.random.default_rng(0).normal(size=107)  # last bin: 7 rows < 10 folds
    bins = rank_bins(y)
    assert np.bincount(bins)[-1] == 7
    cv = BinnedStratifiedKFold(10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        splits = list(cv.split(None, y))
    small = np.flatnonzero(bins == bins.max())
    folds_of_small = [
        k for k, (_, test) in enumerate(splits) for i in small if i in test
    ]
    assert len(set(folds_of_small)) == 7  # each in a different fold
    for _, test in splits:
        assert set(np.unique(bins[test])) >= set(range(bins.max()))
    # min_bin_size=n_splits merges it instead
    assert np.bincount(rank_bins(y, min_bin_size=10))[-1] == 27


@pytest.mark.parametrize(
    ("cv", "y", "exc", "match"),
    [
        (BinnedStratifiedKFold(5), np.arange(3.0), ValueError, "n_samples=3"),
        (BinnedStratifiedKFold(5), np.array([1.0, np.nan] * 10), ValueError, "NaN"),
        (BinnedStratifiedKFold(5), None, ValueError, "needs y"),
        (BinnedStratifiedKFold(5), np.array(["a", "b"] * 5), ValueError, "numeric"),
        (
            BinnedStratifiedKFold(5, bin_size=3, min_bin_size=0),
            np.arange(30.0),
            ValueError,
            "bin_size",
        ),
        (BinnedStratifiedKFold(1), np.arange(30.0), ValueError, "n_splits"),
        (BinnedStratifiedKFold(2.5), np.arange(30.0), TypeError, "n_splits"),
        (
            RepeatedBinnedStratifiedKFold(n_repeats=0),
            np.arange(30.0),
            ValueError,
            "n_repeats",
        ),
        (BinnedStratifiedKFold(bin_size=0), np.arange(30.0), ValueError, "bin_size"),
    ],
)
def test_bad_input(cv, y, exc, match):
    with pytest.raises(exc, match=match):
        list(cv.split(None, y))


def test_length_mismatch():
    with pytest.raises(ValueError, match="inconsistent"):
        list(BinnedStratifiedKFold().split(np.zeros((10, 2)), np.arange(30.0)))


@pytest.mark.parametrize("routing", [False, True])
def test_usable_as_cv_everywhere(routing):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = X @ [0.3, -0.2, 0.1] - 1.5 + rng.normal(0, 0.05, 100)
    cv = RepeatedBinnedStratifiedKFold(5, n_repeats=2, random_state=0)
    with sklearn.config_context(enable_metadata_routing=routing):
        scores = cross_val_score(Ridge(), X, y, cv=cv)
        result = cross_validate(Ridge(), X, y, cv=cv, return_indices=True)
        search = GridSearchCV(Ridge(), {"alpha": [1e-3, 10.0]}, cv=cv).fit(X, y)
    assert scores.shape == (10,)
    for test, (_, expected) in zip(result["indices"]["test"], cv.split(X, y)):
        np.testing.assert_array_equal(test, expected)
    assert search.n_splits_ == 10 and search.best_params_ == {"alpha": 1e-3}


def test_repr_and_params():
    cv = RepeatedBinnedStratifiedKFold(3, n_repeats=2, bin_size=10, random_state=1)
    assert "bin_size=10" in repr(cv)
    assert cv.get_n_splits() == 6
    assert BinnedStratifiedKFold(4).get_n_splits() == 4
