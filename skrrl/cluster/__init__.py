"""Semi-supervised clustering of halo substructure: KBound, CLiMB, hopkins, plots."""

from skrrl.utils._lazy import lazy_exports

_EXPORTS = {
    "KBound": "._kbound",
    "CLiMB": "._climb",
    "hopkins": "._hopkins",
    "plot_climb_2d": "._plot",
    "plot_climb_3d": "._plot",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
