"""``skrrl simulate`` and ``skrrl preprocess``: files in, files out."""

import logging
import time

import numpy as np
import pandas as pd

logger = logging.getLogger("skrrl.cli")


def run_simulate(args):
    """Write a simulated sample as Gaia DR3 epoch photometry (+ a catalogue).

    Parameters
    ----------
    args : argparse.Namespace
        ``output``, ``catalogue``, ``n_stars``, ``kind``, ``layout``, ``seed``.
    """
    from skrrl.datasets import make_rrlyrae, write_gaia_epoch_photometry

    frame, feh, truth = make_rrlyrae(
        args.n_stars, kind=args.kind, random_state=args.seed
    )
    fmt = _format_of(args.output)
    write_gaia_epoch_photometry(
        frame, args.output, layout=args.layout, format=fmt, overwrite=True
    )
    logger.info(
        "wrote %d light curves (%s layout) to %s", len(frame), args.layout, args.output
    )
    if args.catalogue:
        is_c = truth["kind"].to_numpy() == "RRc"
        period = truth["period"].to_numpy()
        table = pd.DataFrame(
            {
                "source_id": frame.index.to_numpy(),
                "pf": np.where(is_c, np.nan, period),
                "p1_o": np.where(is_c, period, np.nan),
                "epoch_g": truth["epoch"].to_numpy(),
                "best_classification": np.where(is_c, "RRc", "RRab"),
                "r21_g": truth["R21"].to_numpy(),
                "phi31_g": truth["phi31"].to_numpy(),
                "metallicity": feh,
            }
        )
        table.to_csv(args.catalogue, index=False)
        logger.info("wrote the matching vari_rrlyrae-like table to %s", args.catalogue)


def run_preprocess(args):
    """Read DR3 photometry + catalogue, fold, resample, save ``.npz``.

    Parameters
    ----------
    args : argparse.Namespace
        ``photometry``, ``catalogue``, ``output``, ``band``, ``n_points``.
    """
    from skrrl.datasets import read_gaia_epoch_photometry
    from skrrl.preprocessing import PhaseFolder, SplineResampler

    start = time.perf_counter()
    frame = read_gaia_epoch_photometry(
        args.photometry, band=args.band, catalogue=args.catalogue
    )
    logger.info(
        "read %d light curves in %.1f s", len(frame), time.perf_counter() - start
    )
    folded = PhaseFolder().fit_transform(frame)
    X = SplineResampler(n_points=args.n_points).fit_transform(folded)
    np.savez_compressed(args.output, X=X, source_id=frame.index.to_numpy())
    logger.info(
        "saved X of shape %s to %s (%.1f s in all)",
        X.shape,
        args.output,
        time.perf_counter() - start,
    )


def _format_of(path):
    name = str(path).lower()
    if name.endswith((".xml", ".vot")):
        return "votable"
    if name.endswith(".ecsv"):
        return "ecsv"
    return "csv"
