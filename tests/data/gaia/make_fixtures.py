"""Regenerate the Gaia epoch-photometry fixtures of this folder (see ATTRIBUTION.md).

Usage: python tests/data/gaia/make_fixtures.py /path/to/shared/data/liu2020_dr3

Reads the real Gaia DR3 G-band transits of three stars from the Liu et al. (2020)
light-curve files and writes them in every Gaia layout and format. Two epochs are
flagged as rejected (synthetic flags, to exercise the reader's rejection logic).
"""

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from skrrl.datasets import write_gaia_epoch_photometry
from skrrl.frame import make_frame

HERE = Path(__file__).resolve().parent
STARS = (1175193864974284160, 100236118552751488, 74041563986640000)
N_EPOCHS = 8  # first epochs of each star: keeps the fixtures small
#: (star, epoch index) -> flag set on that real epoch
REJECTED = {
    (100236118552751488, 3): "rejected_by_variability",
    (74041563986640000, 5): "rejected_by_photometry",
}
FILES = {
    "long": [("csv", "csv"), ("ecsv", "ecsv"), ("votable", "xml"), ("fits", "fits.gz")],
    "wide": [("csv", "csv"), ("ecsv", "ecsv"), ("votable", "xml"), ("fits", "fits.gz")],
    "array": [
        ("csv", "csv"),
        ("ecsv", "csv.gz"),
        ("votable", "xml"),
        ("fits", "fits.gz"),
    ],
}


def load(liu_dir):
    """The three stars as a frame with real flux columns and the rejection flags."""
    curves = [
        pd.read_csv(
            Path(liu_dir) / "LC" / f"{s}.csv", float_precision="round_trip"
        ).iloc[:N_EPOCHS]
        for s in STARS
    ]
    frame = make_frame(
        [c["time"].to_numpy() for c in curves],
        [c["mag"].to_numpy() for c in curves],
        source_id=list(STARS),
        mag_err=[2.5 / np.log(10) * c["flux_error"] / c["flux"] for c in curves],
    )
    for col in ("flux", "flux_error"):
        frame[col] = [c[col].to_numpy() for c in curves]
    for flag in ("rejected_by_photometry", "rejected_by_variability"):
        frame[flag] = [np.zeros(len(c), bool) for c in curves]
    for (star, i), flag in REJECTED.items():
        frame.loc[star, flag][i] = True
    return frame


def main(liu_dir):
    frame = load(liu_dir)
    for layout, formats in FILES.items():
        for fmt, ext in formats:
            path = HERE / f"epoch_photometry_{layout}_{fmt}.{ext}"
            write_gaia_epoch_photometry(
                frame, path, layout=layout, format=fmt, overwrite=True
            )
    # DataLink CSV writes array cells in parentheses: "(1.0, 2.0)".
    text = (HERE / "epoch_photometry_array_csv.csv").read_text()
    text = text.replace('"[', '"(').replace(']"', ')"')
    (HERE / "epoch_photometry_array_csv.csv").write_text(text)


if __name__ == "__main__":
    main(sys.argv[1])
