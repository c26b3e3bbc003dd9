"""The ``skrrl`` command line.

Sub-commands
------------
``skrrl demo``
    Simulate a Gaia-like RR Lyrae sample with a known [Fe/H] scatter, fold and
    resample it, cross-validate a quick neural model next to the classical
    period-phi31-R21 relation, and print the metrics next to the injected floor.
``skrrl simulate``
    Write a simulated sample in a real Gaia DR3 epoch-photometry layout.
``skrrl preprocess``
    Read Gaia DR3 epoch photometry (+ a vari_rrlyrae table), fold and resample
    every light curve, and save the numpy3D array to ``.npz``.
``skrrl info``
    Versions of skrrl and its main dependencies.
"""

import argparse
import logging
import sys

__all__ = ["main"]


def _build_parser():
    from skrrl import __version__

    parser = argparse.ArgumentParser(
        prog="skrrl",
        description="RR Lyrae science with Gaia: [Fe/H] from light curves, CLiMB.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="only print the results"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="simulate, fold, resample, fit, cross-validate")
    demo.add_argument("--n-stars", type=int, default=800)
    demo.add_argument("--feh-scatter", type=float, default=0.2)
    demo.add_argument("--model", default="gru", help="gru, lstm, fcn, ... or none")
    demo.add_argument("--n-points", type=int, default=64)
    demo.add_argument("--max-epochs", type=int, default=60)
    demo.add_argument("--batch-size", type=int, default=32)
    demo.add_argument("--n-splits", type=int, default=5)
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--plot", default=None, help="save a predicted-vs-true PNG")
    demo.add_argument("--json", default=None, help="save the metrics as JSON")

    sim = sub.add_parser("simulate", help="write a simulated sample as Gaia DR3 files")
    sim.add_argument("output", help="photometry file (.csv, .csv.gz, .ecsv, .xml)")
    sim.add_argument("--catalogue", help="also write a vari_rrlyrae-like CSV here")
    sim.add_argument("--n-stars", type=int, default=100)
    sim.add_argument("--kind", default="ab", choices=["ab", "c", "mixed"])
    sim.add_argument("--layout", default="wide", choices=["long", "wide", "array"])
    sim.add_argument("--seed", type=int, default=0)

    pre = sub.add_parser("preprocess", help="fold and resample Gaia DR3 photometry")
    pre.add_argument("photometry", help="epoch photometry file (any DR3 layout)")
    pre.add_argument("catalogue", help="vari_rrlyrae table (periods, epochs)")
    pre.add_argument("output", help="output .npz (X, source_id)")
    pre.add_argument("--band", default="G", choices=["G", "BP", "RP"])
    pre.add_argument("--n-points", type=int, default=264)

    sub.add_parser("info", help="print versions")
    return parser


def main(argv=None):
    """Run the ``skrrl`` command line.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments; ``None`` reads ``sys.argv``.

    Returns
    -------
    int
        Exit status.
    """
    args = _build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(message)s",
        datefmt="%H:%M:%S",
    )
    if args.command == "demo":
        from skrrl.cli._demo import run_demo

        run_demo(args)
    elif args.command == "simulate":
        from skrrl.cli._io import run_simulate

        run_simulate(args)
    elif args.command == "preprocess":
        from skrrl.cli._io import run_preprocess

        run_preprocess(args)
    else:
        _print_info()
    return 0


def _print_info():
    from importlib.metadata import PackageNotFoundError, version

    for name in (
        "skrrl",
        "numpy",
        "scipy",
        "pandas",
        "scikit-learn",
        "torch",
        "skorch",
        "sktime",
        "hdbscan",
        "optuna",
        "astropy",
    ):
        try:
            print(f"{name:14s} {version(name)}")
        except PackageNotFoundError:
            print(f"{name:14s} not installed")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
