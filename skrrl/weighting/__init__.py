"""Sample weights for imbalanced continuous targets.

:class:`KDEWeighter` turns the target distribution (and optional target errors)
into inverse-density × inverse-variance weights; :class:`DensityWeightedRegressor`
computes them inside ``fit`` so cross-validation stays leak-free.
"""

from skrrl.weighting._density_weighted import DensityWeightedRegressor
from skrrl.weighting._kde import KDEWeighter, kde_sample_weight

__all__ = ["DensityWeightedRegressor", "KDEWeighter", "kde_sample_weight"]
