"""skrrl: scikit-learn compatible RR Lyrae science with Gaia.

Importing :mod:`skrrl` is light: heavy dependencies (torch, optuna, sktime,
matplotlib) are imported only by the subpackages that need them.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
