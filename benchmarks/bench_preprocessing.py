"""Fold + resample: skrrl's batched GCV spline next to a scipy loop (the seed's way).

The seed (Monti et al. 2024) smooths every folded light curve with
``scipy.interpolate.make_smoothing_spline(phase, mag)`` (``lam=None``: GCV), one
star at a time. This script simulates Gaia-like RR Lyrae (``make_rrlyrae``,
mixed RRab/RRc, ~45 epochs), folds them with ``PhaseFolder`` and

1. resamples them with ``SplineResampler`` (264 points, periodic penalised
   spline, GCV per star) and, in the same run, with a per-curve loop of
   ``make_smoothing_spline`` on a subset (same folding, same centring, same
   grid), printing curves/s of both, the ratio and the fidelity of both to the
   noiseless truth (RMS over grid points and stars of the subset, magnitudes
   minus their mean over phase); ``ShapePriorResampler`` (shape prior learned
   by EM on all the curves, then posterior-mean curves) is timed and scored on
   the same curves;
2. folds and resamples a simulated full Gaia DR3 RR Lyrae sample (270,905 stars)
   chunk by chunk (simulation time reported apart and excluded).

Writes benchmarks/results/preprocessing.json. Targets: >= 100x the scipy loop's
throughput with equal or better fidelity; 270,905 curves in < 60 s on 2 cores.

Usage: python benchmarks/bench_preprocessing.py [--quick]
"""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
from scipy.interpolate import make_smoothing_spline

from skrrl.datasets import make_rrlyrae, rrlyrae_magnitudes
from skrrl.preprocessing import PhaseFolder, ShapePriorResampler, SplineResampler

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "results" / "preprocessing.json"
N_DR3 = 270_905
N_POINTS = 264


def scipy_loop(folded, grid):
    """The seed's smoothing, per curve: GCV ``make_smoothing_spline``."""
    out = np.empty((len(folded), len(grid)))
    period = folded["period"].to_numpy()
    for i, (phase, mag) in enumerate(zip(folded["phase"], folded["mag"])):
        out[i] = make_smoothing_spline(phase, mag - mag.mean())(grid)
    out -= out.mean(axis=1, keepdims=True)
    return np.stack([period[:, None] * grid[None, :].repeat(len(out), 0), out], 1)


def rms(curves, truth):
    return float(np.sqrt(np.mean((curves - truth) ** 2)))


def timed(func, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = func(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def compare(n_stars, n_scipy, seed):
    frame, _, truth = make_rrlyrae(n_stars, kind="mixed", random_state=seed)
    folder, resampler = PhaseFolder(), SplineResampler(n_points=N_POINTS)
    folded, t_fold, _ = timed(folder.fit_transform, frame)
    ours, t_ours, c_ours = timed(resampler.fit_transform, folded)
    prior = ShapePriorResampler(n_points=N_POINTS)
    learned, t_prior, c_prior = timed(prior.fit_transform, folded)
    sub = folded.iloc[:n_scipy]
    ref, t_ref, c_ref = timed(scipy_loop, sub, resampler.grid_)
    target = rrlyrae_magnitudes(truth.iloc[:n_scipy], resampler.grid_)
    target -= target.mean(axis=1, keepdims=True)
    per_star_ours = np.sqrt(np.mean((ours[:n_scipy, 1] - target) ** 2, axis=1))
    per_star_ref = np.sqrt(np.mean((ref[:, 1] - target) ** 2, axis=1))
    per_star_prior = np.sqrt(np.mean((learned[:n_scipy, 1] - target) ** 2, axis=1))
    n_epochs = frame["time"].map(len).to_numpy()
    return {
        "n_stars": n_stars,
        "n_scipy": n_scipy,
        "mean_epochs": float(n_epochs.mean()),
        "median_epochs": float(np.median(n_epochs)),
        "fold_s": t_fold,
        "skrrl_resample_s": t_ours,
        "skrrl_resample_cpu_s": c_ours,
        "skrrl_curves_per_s": n_stars / t_ours,
        "skrrl_fold_resample_curves_per_s": n_stars / (t_fold + t_ours),
        "scipy_s": t_ref,
        "scipy_cpu_s": c_ref,
        "scipy_curves_per_s": n_scipy / t_ref,
        "ratio": (n_stars / t_ours) / (n_scipy / t_ref),
        "ratio_cpu": (n_stars / c_ours) / (n_scipy / c_ref),
        "rms_skrrl": rms(ours[:n_scipy, 1], target),
        "rms_scipy": rms(ref[:, 1], target),
        "median_star_rms_skrrl": float(np.median(per_star_ours)),
        "median_star_rms_scipy": float(np.median(per_star_ref)),
        "fraction_stars_skrrl_closer": float(np.mean(per_star_ours <= per_star_ref)),
        # ShapePriorResampler: fit (EM on all n_stars curves) + transform
        "prior_s": t_prior,
        "prior_cpu_s": c_prior,
        "prior_curves_per_s": n_stars / t_prior,
        "prior_em_iterations": int(prior.n_iter_),
        "rms_prior": rms(learned[:n_scipy, 1], target),
        "median_star_rms_prior": float(np.median(per_star_prior)),
    }


def full_sample(n_stars, chunk, seed, n_jobs):
    folder = PhaseFolder()
    resampler = SplineResampler(n_points=N_POINTS, n_jobs=n_jobs)
    t_sim = t_fold = t_res = cpu = 0.0
    n_done, checksum = 0, 0.0
    for k, start in enumerate(range(0, n_stars, chunk)):
        m = min(chunk, n_stars - start)
        t0 = time.perf_counter()
        frame, _, _ = make_rrlyrae(m, kind="mixed", random_state=seed + k)
        t_sim += time.perf_counter() - t0
        c0 = time.process_time()
        folded, dt, _ = timed(folder.fit_transform, frame)
        t_fold += dt
        X, dt, _ = timed(resampler.fit_transform, folded)
        t_res += dt
        cpu += time.process_time() - c0
        checksum += float(np.isfinite(X).sum())
        n_done += m
    assert checksum == n_done * 2 * N_POINTS, "non-finite resampled values"
    return {
        "n_stars": n_done,
        "chunk": chunk,
        "n_jobs": n_jobs,
        "simulate_s": t_sim,
        "fold_s": t_fold,
        "resample_s": t_res,
        "fold_resample_s": t_fold + t_res,
        "fold_resample_cpu_s": cpu,
        "curves_per_s": n_done / (t_fold + t_res),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=-1,
        help="threads of SplineResampler for the full sample (the side-by-side "
        "comparison with the single-threaded scipy loop always uses 1)",
    )
    args = parser.parse_args()
    n_cmp, n_scipy = (2_000, 30) if args.quick else (20_000, 300)
    n_full = 10_000 if args.quick else N_DR3
    load_before = os.getloadavg()
    cmp = compare(n_cmp, n_scipy, args.seed)
    full = full_sample(n_full, 20_000, args.seed + 1, args.n_jobs)
    result = {
        "quick": args.quick,
        "machine": {
            "cpu_count": os.cpu_count(),
            "platform": platform.platform(),
            "loadavg_before": load_before,
            "loadavg_after": os.getloadavg(),
        },
        "grid": f"phase j / {N_POINTS}, j = 0..{N_POINTS - 1}",
        "comparison": cmp,
        "full_sample": full,
    }
    print(f"load average before/after: {load_before} / {os.getloadavg()}")
    print(
        f"\n{cmp['n_stars']} simulated curves (mean {cmp['mean_epochs']:.1f} "
        f"epochs), scipy loop on the first {cmp['n_scipy']}"
    )
    print(f"{'method':<34}{'curves/s':>10}{'RMS vs truth':>14}{'median star':>13}")
    print(
        f"{'skrrl SplineResampler (batched)':<34}{cmp['skrrl_curves_per_s']:>10.0f}"
        f"{cmp['rms_skrrl']:>14.4f}{cmp['median_star_rms_skrrl']:>13.4f}"
    )
    print(
        f"{'scipy make_smoothing_spline loop':<34}{cmp['scipy_curves_per_s']:>10.1f}"
        f"{cmp['rms_scipy']:>14.4f}{cmp['median_star_rms_scipy']:>13.4f}"
    )
    print(
        f"{'skrrl ShapePriorResampler (fit+tr.)':<34}{cmp['prior_curves_per_s']:>10.0f}"
        f"{cmp['rms_prior']:>14.4f}{cmp['median_star_rms_prior']:>13.4f}"
    )
    print(
        f"ratio {cmp['ratio']:.0f}x wall ({cmp['ratio_cpu']:.0f}x CPU time); "
        f"skrrl closer to the truth for "
        f"{100 * cmp['fraction_stars_skrrl_closer']:.0f}% of stars"
    )
    print(
        f"\nfull sample: {full['n_stars']} curves folded + resampled "
        f"(n_jobs={full['n_jobs']}) in "
        f"{full['fold_resample_s']:.1f} s wall ({full['fold_resample_cpu_s']:.1f} s "
        f"CPU; fold {full['fold_s']:.1f} s, resample {full['resample_s']:.1f} s; "
        f"simulation {full['simulate_s']:.1f} s excluded)"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
