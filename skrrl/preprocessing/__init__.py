"""Light-curve preprocessing: folding, smoothing-spline resampling, Fourier features.

Every transformer here consumes the light-curve frame of :mod:`skrrl.frame`:

- :class:`PhaseFolder`: time -> phase from maximum light, arrays sorted by phase.
- :class:`SplineResampler`: folded frame -> numpy3D ``(n_stars, n_channels,
  n_points)`` of GCV-smoothed curves on a fixed phase grid.
- :class:`ShapePriorResampler`: the same layout, each curve the posterior mean
  under a Fourier-shape prior learned from the training curves (empirical Bayes).
- :class:`FourierFeatures`: frame -> classical Fourier parameters (A_k, R_k1,
  φ_k1) per star.
"""

from skrrl.preprocessing._fourier import FourierFeatures
from skrrl.preprocessing._phase import PhaseFolder
from skrrl.preprocessing._shape_prior import ShapePriorResampler
from skrrl.preprocessing._spline import SplineResampler

__all__ = ["FourierFeatures", "PhaseFolder", "ShapePriorResampler", "SplineResampler"]
