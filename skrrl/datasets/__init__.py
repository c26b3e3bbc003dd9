"""Readers for Gaia DR3 formats, loaders of public RR Lyrae data, and simulators.

Every light-curve reader returns the light-curve frame of :mod:`skrrl.frame`.
"""

from skrrl.utils._lazy import lazy_exports

_EXPORTS = {
    "read_gaia_epoch_photometry": "._gaia",
    "write_gaia_epoch_photometry": "._gaia_write",
    "read_vari_rrlyrae": "._vari",
    "fetch_gaia_rrlyrae": "._fetch",
    "fetch_dekany2022": "._dekany",
    "read_liu2020": "._liu",
    "make_rrlyrae": "._simulate",
    "rrlyrae_magnitudes": "._simulate",
    "rrlyrae_feh_posterior": "._posterior",
    "make_halo_iom": "._halo",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
