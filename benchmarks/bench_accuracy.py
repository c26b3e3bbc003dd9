"""Out-of-fold accuracy of every skrrl network and two classical baselines.

Run from the repository root::

    python benchmarks/bench_accuracy.py            # full run (hours on 2 cores)
    python benchmarks/bench_accuracy.py --quick    # smoke run, minutes

Two data sets, the same folds for every model (``RepeatedBinnedStratifiedKFold``,
5 folds, rank bins of 20 stars):

(a) ``sim``: ``make_rrlyrae`` RRab stars whose [Fe/H] carries a known injected
    scatter (0.2 dex): no method can beat an RMSE of 0.2 dex, the floor. The
    relation applied to the true light-curve parameters reaches it (reported
    as "oracle relation"); from Gaia-like curves (42 epochs, G-band noise) part
    of the shape information is lost before any model sees it. How much is
    measured by the posterior of the relation value given each noisy curve
    (``rrlyrae_feh_posterior``): "rest known" gives it every other simulation
    variable (its floor is a strict lower bound for any method), "shape
    marginalised" only the period, epoch and number of harmonics (Laplace
    approximation; the floor the curves allow). Each row's RMSE is that of
    the posterior mean (mode), its "floor" the expected one.
(a') ``sim-noiseless``: the same stars and epochs without photometric noise,
    so that only the sparse sampling stands between a model and the floor.
    For both, the best network's RMSE is also reported by bins of the stars'
    number of epochs and mean G magnitude (where the information is lost).
(b) ``liu2020``: 518 real Gaia DR3 RRab light curves with LAMOST [Fe/H]
    (../shared/data/liu2020_dr3, read with ``skrrl.datasets.read_liu2020``),
    folded from their real times with the DR3 periods and epochs. Weighted
    metrics use ``1 / feh_err**2``.

Models: every light-curve network of ``skrrl.neural`` on PhaseFolder +
SplineResampler arrays (the resampling is per star and fits nothing across stars,
so it is run once, outside the folds; the target is standardised inside each
fit with ``TransformedTargetRegressor``), and, on ``FourierFeatures`` of the same
folded curves, a linear period-phi31-R21 relation refit in every fold and a
gradient-boosted model on all Fourier parameters; "mean of the networks" averages
the out-of-fold predictions of all networks run (an ensemble of architectures,
on the same folds). Metrics: out-of-fold RMSE, MAE,
weighted RMSE/MAE and weighted R², pooled over the folds of each repeat, then
averaged over repeats. Results: benchmarks/results/accuracy.json, and the
out-of-fold predictions next to it (``accuracy.<dataset>.npz``, git-ignored: the
Liu file holds the LAMOST [Fe/H] of the unlicensed catalogue).
"""

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "liu2020_dr3"


def _unwrap_phase(phi):
    """Move circular phases next to their circular mean (no wrap at 2 pi)."""
    phi = np.asarray(phi, dtype=float)
    center = np.angle(np.mean(np.exp(1j * phi), axis=0))
    return center + np.mod(phi - center + np.pi, 2 * np.pi) - np.pi


def classical_models():
    """The two baselines, on the DataFrame of FourierFeatures."""
    linear = make_pipeline(
        ColumnTransformer(
            [
                ("p", "passthrough", ["period", "R21"]),
                ("phi31", FunctionTransformer(_unwrap_phase), ["phi31"]),
            ]
        ),
        LinearRegression(),
    )
    boosting = HistGradientBoostingRegressor(
        max_iter=300, learning_rate=0.05, random_state=0
    )
    return {"linear P-phi31-R21": linear, "gradient boosting (Fourier)": boosting}


def network_models(small_widths, epochs, batch_size, patience=None):
    from skrrl import neural

    common = {
        "batch_size": batch_size,
        "max_epochs": epochs,
        "patience": patience or max(5, epochs // 5),
        "random_state": 0,
        "device": "cpu",
    }
    small = {
        "InceptionTimeRegressor": {"n_filters": 8, "depth": 3},
        "TransformerRegressor": {"d_model": 16, "n_layers": 2, "head_sizes": (32,)},
        "InformerRegressor": {"d_model": 16, "n_layers": 2, "d_ff": 32},
        "FCNRegressor": {"filters": (16, 32, 16)},
        "ResNetRegressor": {"filters": (16, 32, 32)},
    }
    names = [
        "GRURegressor",
        "BiGRURegressor",
        "LSTMRegressor",
        "BiLSTMRegressor",
        "FCNRegressor",
        "ResNetRegressor",
        "InceptionTimeRegressor",
        "ConvGRURegressor",
        "ConvLSTMRegressor",
        "TransformerRegressor",
        "InformerRegressor",
    ]
    models = {}
    for name in names:
        params = dict(common)
        if small_widths:
            params.update(small.get(name, {}))
        # standardised target: the output layers start near 0, [Fe/H] near -1.5
        models[name] = TransformedTargetRegressor(
            getattr(neural, name)(**params), transformer=StandardScaler()
        )
    return models


def load_sim(n_stars, noise=True, seed=0):
    from skrrl.datasets import make_rrlyrae

    frame, y, truth = make_rrlyrae(
        n_stars, kind="ab", feh_scatter=0.2, noise=noise, random_state=seed
    )
    return frame, y, np.ones_like(y), 0.2, truth


def load_liu():
    from skrrl.datasets import read_liu2020

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = read_liu2020(DATA)
    y = frame["feh"].to_numpy(float)
    return frame, y, 1.0 / frame["feh_err"].to_numpy(float) ** 2, None, None


# light-curve noise floors of the simulated stars (rrlyrae_feh_posterior)
# (method, start): the two floors, and a fit of the simulator's own model from
# starts that use only the curves (an estimator that knows the model family)
POSTERIORS = {
    "exact": ("exact", "truth", "posterior, rest known (bound)"),
    "laplace": ("laplace", "truth", "posterior, shape marginalised"),
    "model_fit": ("laplace", "blind", "simulator-model fit (blind)"),
}


def light_curve_posterior(frame, truth, feh_scatter, key):
    from skrrl.datasets import rrlyrae_feh_posterior

    method, start, _ = POSTERIORS[key]
    return rrlyrae_feh_posterior(
        frame, truth, feh_scatter=feh_scatter, method=method, start=start
    )


def _floor(feh_scatter, std):
    """RMSE of the best estimate: injected scatter plus posterior variance."""
    return float(np.sqrt(feh_scatter**2 + np.mean(std**2)))


def rmse_by_bin(y, pred, values, edges):
    """Out-of-fold RMSE (first repeat) of the stars in each ``[lo, hi)`` bin."""
    rows = {}
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (values >= lo) & (values < hi)
        if m.any():
            rmse = float(np.sqrt(np.mean((pred[0][m] - y[m]) ** 2)))
            rows[f"{lo}-{hi}"] = {"n": int(m.sum()), "rmse": rmse}
    return rows


# bins of the simulated stars: epochs (phase coverage) and mean G (noise)
SIM_BINS = {
    "n_epochs": (12, 30, 45, 70, 1001),
    "mean_mag": (13, 15, 17, 18, 19, 20.01),
}


def arrays(frame, n_points, resampler="spline", splits=None):
    """Network inputs and Fourier features of the folded curves.

    ``"spline"`` smooths each star on its own, so it runs once outside the
    folds; ``"prior"`` learns its shape prior from the curves, so it is fitted
    on each training fold and the inputs are a list, one array per split.
    """
    from skrrl.preprocessing import (
        FourierFeatures,
        PhaseFolder,
        ShapePriorResampler,
        SplineResampler,
    )

    folded = PhaseFolder().fit_transform(frame)
    fourier = FourierFeatures(n_harmonics=4).set_output(transform="pandas")
    feats = fourier.fit_transform(folded)
    if resampler == "spline":
        X = SplineResampler(n_points=n_points).fit_transform(folded)
        return X.astype(np.float32), feats
    prior = ShapePriorResampler(n_points=n_points)
    X = [
        prior.fit(folded.iloc[train]).transform(folded).astype(np.float32)
        for train, _ in splits
    ]
    return X, feats


def out_of_fold(estimator, X, y, splits):
    """Predictions of every (repeat, sample): shape (n_repeats, n_samples).

    ``X`` is one input for all splits, or a list of one input per split.
    """
    n_rep = len(splits) // 5
    pred = np.full((n_rep, len(y)), np.nan)
    for i, (train, test) in enumerate(splits):
        est = clone(estimator)
        Xi = X[i] if isinstance(X, list) else X
        Xtr = Xi.iloc[train] if hasattr(Xi, "iloc") else Xi[train]
        Xte = Xi.iloc[test] if hasattr(Xi, "iloc") else Xi[test]
        pred[i // 5, test] = est.fit(Xtr, y[train]).predict(Xte)
    return pred


def scores(y, pred, w):
    """Metrics of each repeat, averaged; ``rmse_repeats`` keeps each repeat's
    RMSE (for paired comparisons on the same folds)."""
    from skrrl.metrics import mae, rmse, weighted_mae, weighted_r2, weighted_rmse

    rows = [
        {
            "rmse": rmse(y, p),
            "mae": mae(y, p),
            "wrmse": weighted_rmse(y, p, w),
            "wmae": weighted_mae(y, p, w),
            "wr2": weighted_r2(y, p, w),
        }
        for p in pred
    ]
    out = {k: float(np.mean([r[k] for r in rows])) for k in rows[0]}
    out["rmse_repeats"] = [float(r["rmse"]) for r in rows]
    return out


def _print_row(label, row):
    """One line of the results table (the fit time when the row has one)."""
    metrics = ("rmse", "mae", "wrmse", "wmae", "wr2")
    seconds = f"{row['seconds']:>8.0f}" if "seconds" in row else ""
    line = "".join(f"{row[k]:>8.3f}" for k in metrics)
    print(f"{label:<30}{line}{seconds}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--n-stars", type=int, default=None)
    parser.add_argument("--n-points", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--patience", type=int, default=None)
    parser.add_argument(
        "--widths",
        choices=("paper", "small"),
        default=None,
        help="network widths (default: small with --quick, else paper)",
    )
    parser.add_argument("--models", default="", help="comma list of names to run")
    parser.add_argument(
        "--posteriors",
        default=",".join(POSTERIORS),
        help="comma list of the light-curve posteriors to compute on simulated "
        f"data, from {','.join(POSTERIORS)} (model_fit is the slowest: ~6 min per "
        "5,000 stars); 'none' for none",
    )
    parser.add_argument(
        "--resampler",
        choices=("spline", "prior"),
        default="spline",
        help="network inputs: SplineResampler or ShapePriorResampler (per fold)",
    )
    parser.add_argument("--datasets", default="sim,liu2020")
    parser.add_argument("--out", default="benchmarks/results/accuracy.json")
    args = parser.parse_args()

    import torch
    from threadpoolctl import threadpool_limits

    from skrrl.model_selection import RepeatedBinnedStratifiedKFold

    torch.set_num_threads(1)  # see bench_training: far faster on a busy 2-core box
    threadpool_limits(1)  # the same for the OpenMP of HistGradientBoosting
    n_points = args.n_points or (66 if args.quick else 264)
    epochs = args.epochs or (15 if args.quick else 300)
    repeats = args.repeats or 1
    widths = args.widths or ("small" if args.quick else "paper")
    result = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "n_points": n_points,
        "max_epochs": epochs,
        "batch_size": args.batch_size,
        "widths": widths,
        "resampler": args.resampler,
        "n_repeats": repeats,
        "loadavg_start": os.getloadavg(),
        "datasets": {},
    }
    wanted = set(filter(None, args.models.split(",")))
    for dataset in args.datasets.split(","):
        if dataset.startswith("sim"):
            n = args.n_stars or (400 if args.quick else 5000)
            frame, y, w, floor, truth = load_sim(n, noise=dataset != "sim-noiseless")
        elif not DATA.is_dir():
            print(f"skipping {dataset}: {DATA} not found")
            continue
        else:
            frame, y, w, floor, truth = load_liu()
        cv = RepeatedBinnedStratifiedKFold(5, n_repeats=repeats, random_state=0)
        splits = list(cv.split(np.zeros((len(y), 1)), y))
        X, feats = arrays(frame, n_points, args.resampler, splits)
        shape = (X[0] if isinstance(X, list) else X).shape
        models = {
            **classical_models(),
            **network_models(widths == "small", epochs, args.batch_size, args.patience),
        }
        table, predictions = {}, {}
        print(
            f"\n{dataset}: {len(y)} stars, {shape[1]} x {shape[2]} inputs "
            f"({args.resampler}), "
            f"std([Fe/H]) {y.std():.3f}"
            + (f", injected floor {floor}" if floor else "")
        )
        print(
            f"{'model':<30}{'RMSE':>8}{'MAE':>8}{'wRMSE':>8}{'wMAE':>8}{'wR2':>8}{'s':>8}"
        )
        if truth is not None:
            row = scores(y, truth["feh_relation"].to_numpy(float)[None], w)
            table["oracle relation (true parameters)"] = row
            _print_row("oracle relation (true params)", row)
        posterior_std, model_fit = {}, None
        # (the posterior's Gaussian likelihood needs the noisy curves)
        if truth is not None and dataset != "sim-noiseless":
            for key, (_, _, label) in POSTERIORS.items():
                if key not in args.posteriors.split(","):
                    continue
                start = time.perf_counter()
                post = light_curve_posterior(frame, truth, floor, key)
                row = scores(y, post["mean"].to_numpy()[None], w)
                row["seconds"] = time.perf_counter() - start
                if key == "model_fit":
                    model_fit = post["mean"].to_numpy()[None]
                else:
                    posterior_std[key] = post["std"].to_numpy()
                    row["floor"] = _floor(floor, posterior_std[key])
                table[label] = row
                _print_row(label, row)
        for name, est in models.items():
            if (
                wanted
                and name not in wanted
                and not name.startswith(("linear", "gradient"))
            ):
                continue
            data = feats if name in classical_models() else X
            start = time.perf_counter()
            pred = out_of_fold(est, data, y, splits)
            row = scores(y, pred, w)
            row["seconds"] = time.perf_counter() - start
            table[name] = row
            predictions[name] = pred
            np.savez(
                Path(args.out).with_suffix(f".{dataset}.npz"), y=y, w=w, **predictions
            )
            result["datasets"][dataset] = {
                "n_stars": len(y),
                "floor": floor,
                "models": table,
            }
            _write(result, args.out)  # partial results survive an interruption
            _print_row(name, row)
        # the mean of the networks' out-of-fold predictions: an ensemble of
        # architectures, scored on the same folds (no extra fitting)
        members = [k for k in predictions if k.endswith("Regressor")]
        if len(members) > 1:
            row = scores(y, np.mean([predictions[k] for k in members], axis=0), w)
            row["members"] = members
            table["EnsembleMeanRegressor"] = row
            _print_row("mean of the networks", row)
        nets = {k: v for k, v in table.items() if k.endswith("Regressor")}
        best = min(nets, key=lambda k: nets[k]["rmse"]) if nets else None
        summary = {"best_network": best}
        if best and floor:
            summary["best_over_floor"] = nets[best]["rmse"] / floor
            print(
                f"best network {best}: RMSE / floor = {summary['best_over_floor']:.3f}"
                " (target <= 1.10)"
            )
            for method, std in posterior_std.items():
                ratio = nets[best]["rmse"] / _floor(floor, std)
                summary[f"best_over_{method}_light_curve_floor"] = ratio
                print(
                    f"  light-curve floor {_floor(floor, std):.3f} "
                    f"({POSTERIORS[method][2]}): RMSE / it = {ratio:.3f}"
                )
            # where the error comes from: phase coverage and photometric noise
            member = (
                best
                if best in predictions
                else min(members, key=lambda k: table[k]["rmse"])
            )
            summary["best_by_bin"] = {"model": member}
            for column, edges in SIM_BINS.items():
                values = truth[column].to_numpy(float)
                bins = rmse_by_bin(y, predictions[member], values, edges)
                for method, std in posterior_std.items():
                    for lo, hi in zip(edges[:-1], edges[1:]):
                        inside = (values >= lo) & (values < hi)
                        if inside.any():
                            floor_bin = _floor(floor, std[inside])
                            bins[f"{lo}-{hi}"][f"{method}_floor"] = floor_bin
                if model_fit is not None:
                    fit_bins = rmse_by_bin(y, model_fit, values, edges)
                    for k, v in fit_bins.items():
                        bins[k]["model_fit_rmse"] = v["rmse"]
                summary["best_by_bin"][column] = bins
                print(
                    f"  {member} RMSE by {column}; light-curve floors exact / "
                    "laplace; simulator-model fit RMSE:"
                )
                for k, v in bins.items():
                    extra = [v.get(f"{m}_floor") for m in posterior_std]
                    extra.append(v.get("model_fit_rmse"))
                    text = "  ".join(f"{x:.3f}" for x in extra if x is not None)
                    print(f"    {k:>10} n={v['n']:<6} {v['rmse']:.3f}   {text}")
        if best and not floor:
            base = min(table[k]["rmse"] for k in classical_models() if k in table)
            summary["best_minus_best_classical_rmse"] = nets[best]["rmse"] - base
            print(
                f"best network {best}: RMSE {nets[best]['rmse']:.3f} vs best "
                f"classical {base:.3f}"
            )
            # paired over repeats: the same folds for the network and a baseline
            for name in classical_models():
                diff = np.subtract(
                    nets[best]["rmse_repeats"], table[name]["rmse_repeats"]
                )
                summary[f"paired_rmse_difference_vs {name}"] = {
                    "mean": float(diff.mean()),
                    "min": float(diff.min()),
                    "max": float(diff.max()),
                    "repeats_network_better": int((diff < 0).sum()),
                    "n_repeats": len(diff),
                }
                print(
                    f"  vs {name}: RMSE difference per repeat mean "
                    f"{diff.mean():+.3f} (min {diff.min():+.3f}, max "
                    f"{diff.max():+.3f}); network better in {(diff < 0).sum()} "
                    f"of {len(diff)} repeats"
                )
        result["datasets"][dataset] = {
            "n_stars": len(y),
            "floor": floor,
            "models": table,
            **summary,
        }
    result["loadavg_end"] = os.getloadavg()
    _write(result, args.out)
    print(f"\nwritten {args.out}")


def _write(result, path):
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
