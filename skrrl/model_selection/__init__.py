"""Cross-validation for continuous targets: splitters stratified on rank bins."""

from skrrl.model_selection._split import (
    BinnedStratifiedKFold,
    RepeatedBinnedStratifiedKFold,
    rank_bins,
)

__all__ = ["BinnedStratifiedKFold", "RepeatedBinnedStratifiedKFold", "rank_bins"]
