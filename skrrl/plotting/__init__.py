"""Matplotlib figures used by the examples, reports and the command line.

matplotlib is imported when a function is called, not on import.
"""

from skrrl.plotting._lightcurves import plot_light_curves
from skrrl.plotting._regression import plot_predicted_vs_true

__all__ = ["plot_light_curves", "plot_predicted_vs_true"]
