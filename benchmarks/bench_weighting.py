"""KDE sample weights: skrrl next to the original recipe (scipy KDE + MinMaxScaler).

The original (Dékány & Grebel 2022 ``compute_sample_weights``, Monti et al. 2024
``calculate_sample_weights``): ``scipy.stats.gaussian_kde`` (Scott), tail cap
at density 0.5, times ``1/σ²``, ``MinMaxScaler((0.01, 1))``. Re-implemented
here from its description, not copied. Both run on the same skewed [Fe/H]-like
targets; the table gives seconds per call, the speed-up and the largest
absolute difference of the weights. With ``$SKRRL_SHARED_DATA`` or
../shared/data present, the 4,458 real labels of Dékány & Grebel are added.

Usage: python benchmarks/bench_weighting.py [--quick]
"""

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from scipy.stats import gaussian_kde
from sklearn.preprocessing import MinMaxScaler

from skrrl.weighting import kde_sample_weight

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "weighting.json"
DATA = Path(os.environ.get("SKRRL_SHARED_DATA", REPO.parent / "shared" / "data"))


def original(y, y_err, threshold=0.5):
    kde = gaussian_kde(y)
    ykde = kde(y)
    dense = y[ykde > threshold]
    w_dens = 1.0 / ykde
    w_dens[y > dense.max()] = 1.0 / kde(dense.max())[0]
    w_dens[y < dense.min()] = 1.0 / kde(dense.min())[0]
    raw = w_dens / y_err**2
    return MinMaxScaler(feature_range=(0.01, 1)).fit_transform(raw[:, None]).ravel()


def best_time(func, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def targets(n, rng):
    # halo-like [Fe/H]: a main peak near -1.5 and a metal-rich tail
    main = rng.normal(-1.5, 0.35, n)
    rich = rng.normal(-0.6, 0.3, n)
    return np.where(rng.random(n) < 0.85, main, rich), rng.uniform(0.05, 0.3, n)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    sizes = [1000] if args.quick else [1000, 5000, 20000]
    repeat = 1 if args.quick else 3
    cases = [(f"simulated n={n}", *targets(n, rng)) for n in sizes]
    real = DATA / "dekany2022" / "dev_g_feh_oof_predictions.dat"
    if real.exists() and not args.quick:
        y = np.loadtxt(real, usecols=(2,))
        # no per-star errors in the shared file: a fixed, seeded error draw
        cases.append(("Dekany2022 labels n=4458", y, rng.uniform(0.05, 0.3, y.size)))

    rows = []
    header = ("case", "skrrl s", "original s", "speed-up", "max |dw|")
    print("{:28s} {:>9s} {:>11s} {:>9s} {:>9s}".format(*header))
    for name, y, y_err in cases:
        t_ours, ours = best_time(lambda y=y, e=y_err: kde_sample_weight(y, e), repeat)
        t_orig, ref = best_time(lambda y=y, e=y_err: original(y, e), repeat)
        diff = float(np.max(np.abs(ours - ref)))
        speedup = t_orig / t_ours
        rows.append(
            {
                "case": name,
                "n": int(y.size),
                "skrrl_s": t_ours,
                "original_s": t_orig,
                "speedup": speedup,
                "max_abs_diff": diff,
            }
        )
        print(f"{name:28s} {t_ours:9.3f} {t_orig:11.3f} {speedup:9.2f} {diff:9.1e}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"quick": args.quick, "rows": rows}, indent=2))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
