"""Training speed of GRURegressor against the same network in Keras 3 (TensorFlow).

Run from the repository root::

    python benchmarks/bench_training.py            # ~5,000 simulated stars
    python benchmarks/bench_training.py --quick    # smoke run, ~1 minute

Data: ``make_rrlyrae`` (RRab, 0.2 dex injected [Fe/H] scatter) -> PhaseFolder ->
SplineResampler(264 points, channels phase x period and magnitude); a seeded,
rank-stratified 10 % validation split, the very split GRURegressor draws for its
early stopping, is given to Keras too, so both report the same validation RMSE.

Measured, side by side in one run:

1. **Epoch time at the paper configuration** (GRU 20-16-8, dropout 0.2/0.2/0.1,
   L2 2e-6 kernel / L1 2e-6 recurrent penalties, Adam 0.01, batch 256, 264
   points): Keras 3 on TensorFlow CPU, a plain PyTorch ``nn.GRU`` loop, and
   GRURegressor, interleaved in blocks of a few epochs so that all three see the
   same machine load. An epoch is one pass over the training rows plus the
   validation pass, on every side.
2. **Time to accuracy**: the validation RMSE Keras reaches in its epoch budget
   is the target; the training time each configuration needs to first reach it
   is reported, for the paper configuration and for an ablation (fewer resampled
   points, larger batch, a learning-rate schedule), with the best validation RMSE
   of each so that "accuracy unchanged" can be checked.
3. **Inference throughput**: GRURegressor.predict on 270,905 series (the number
   of Gaia DR3 RR Lyrae) at 264 and at the ablation's point count.

Keras runs in a separate virtual environment (``--keras-python``, default
/work/benchvenvs/keras/bin/python, made with ``python -m venv`` and ``pip install
tensorflow-cpu keras``), in a worker subprocess that receives the data as an
.npz file and trains epoch by epoch on command. Without it the Keras column is
left empty. The results go to benchmarks/results/training.json.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# --------------------------------------------------------------------------
# Keras worker (runs in the Keras venv: no skrrl, no torch imports up here)
# --------------------------------------------------------------------------


def keras_worker(npz_path, batch_size, lr, threads):
    """Line protocol on stdin/stdout: ``epoch N`` trains N epochs, ``quit``."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import numpy as np
    import tensorflow as tf
    from keras import layers, regularizers

    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)

    data = np.load(npz_path)
    x_train, y_train = data["x_train"], data["y_train"]
    x_valid, y_valid = data["x_valid"], data["y_valid"]
    keras.utils.set_random_seed(0)

    def rnn(units, last):
        return layers.GRU(
            units,
            return_sequences=not last,
            kernel_regularizer=regularizers.L2(2e-6),
            recurrent_regularizer=regularizers.L1(2e-6),
        )

    model = keras.Sequential(
        [
            keras.Input(shape=x_train.shape[1:]),
            rnn(20, False),
            layers.Dropout(0.2),
            rnn(16, False),
            layers.Dropout(0.2),
            rnn(8, True),
            layers.Dropout(0.1),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr), loss="mse")
    print(json.dumps({"ready": keras.__version__}), flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd or cmd[0] == "quit":
            break
        for _ in range(int(cmd[1])):
            start = time.perf_counter()
            model.fit(
                x_train,
                y_train,
                batch_size=batch_size,
                epochs=1,
                verbose=0,
                shuffle=True,
            )
            pred = model.predict(x_valid, batch_size=4096, verbose=0).ravel()
            seconds = time.perf_counter() - start
            rmse = float(np.sqrt(np.mean((pred - y_valid) ** 2)))
            print(json.dumps({"seconds": seconds, "valid_rmse": rmse}), flush=True)


class KerasRunner:
    """Drive the Keras worker subprocess epoch by epoch."""

    def __init__(self, python, npz_path, batch_size=256, lr=0.01, threads=0):
        self.proc = subprocess.Popen(
            [
                python,
                __file__,
                "--keras-worker",
                npz_path,
                "--batch-size",
                str(batch_size),
                "--lr",
                str(lr),
                "--threads",
                str(threads),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.version = json.loads(self.proc.stdout.readline())["ready"]

    def epochs(self, n):
        self.proc.stdin.write(f"epoch {n}\n")
        self.proc.stdin.flush()
        return [json.loads(self.proc.stdout.readline()) for _ in range(n)]

    def close(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=60)


# --------------------------------------------------------------------------
# PyTorch side
# --------------------------------------------------------------------------


def make_data(n_stars, n_points, seed=0):
    """Simulated RRab stars resampled to ``n_points`` (n, 2, n_points) and [Fe/H]."""
    from sklearn.pipeline import make_pipeline

    from skrrl.datasets import make_rrlyrae
    from skrrl.preprocessing import PhaseFolder, SplineResampler

    frame, y, _ = make_rrlyrae(n_stars, kind="ab", feh_scatter=0.2, random_state=seed)
    pipe = make_pipeline(PhaseFolder(), SplineResampler(n_points=n_points))
    return pipe.fit_transform(frame).astype("float32"), y


def gru_split(y, seed):
    """The validation rows GRURegressor(validation_fraction=0.1) holds out."""
    import numpy as np
    from sklearn.utils import check_random_state

    from skrrl.neural._base import _stratified_holdout

    rng = check_random_state(seed)
    rng.randint(np.iinfo(np.int32).max)  # the torch seed drawn first in fit
    return _stratified_holdout(y, 0.1, rng)


def gru_regressor(max_epochs, seed, **kw):
    from skrrl.neural import GRURegressor

    params = {"batch_size": 256, "lr": 0.01, "patience": None}
    params.update(kw)
    return GRURegressor(
        max_epochs=max_epochs,
        validation_fraction=0.1,
        random_state=seed,
        device="cpu",
        **params,
    )


def gru_history(est):
    """Per-epoch (seconds, validation RMSE) of a fitted GRURegressor."""
    import numpy as np

    hist = est.net_.history
    return [
        {"seconds": h["dur"], "valid_rmse": float(np.sqrt(h["valid_loss"]))}
        for h in hist
    ]


def plain_torch_epochs(x_train, y_train, x_valid, y_valid, n_epochs, seed=0):
    """The same network as a bare nn.GRU stack and a hand-written loop."""
    import numpy as np
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.grus = nn.ModuleList(
                [
                    nn.GRU(2, 20, batch_first=True),
                    nn.GRU(20, 16, batch_first=True),
                    nn.GRU(16, 8, batch_first=True),
                ]
            )
            self.drops = nn.ModuleList([nn.Dropout(p) for p in (0.2, 0.2, 0.1)])
            self.out = nn.Linear(8, 1)

        def forward(self, x):
            h = x.transpose(1, 2)
            for gru, drop in zip(self.grus, self.drops):
                h = drop(gru(h)[0])
            return self.out(h[:, -1])

    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train[:, None].astype("f4"))
    xv = torch.from_numpy(x_valid)
    out = []
    for _ in range(n_epochs):
        start = time.perf_counter()
        net.train()
        for idx in torch.randperm(len(xt), generator=gen).split(256):
            opt.zero_grad()
            loss = nn.functional.mse_loss(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        net.eval()
        with torch.no_grad():
            pred = net(xv).numpy().ravel()
        out.append(
            {
                "seconds": time.perf_counter() - start,
                "valid_rmse": float(np.sqrt(np.mean((pred - y_valid) ** 2))),
            }
        )
    return out


def time_to(history, target):
    """Cumulative seconds until the validation RMSE first reaches ``target``."""
    total = 0.0
    for epoch, h in enumerate(history, 1):
        total += h["seconds"]
        if h["valid_rmse"] <= target:
            return total, epoch
    return None, None


def _median(values):
    import numpy as np

    return float(np.median(values)) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--keras-worker", help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, default=256, help=argparse.SUPPRESS)
    parser.add_argument("--lr", type=float, default=0.01, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument(
        "--keras-python",
        default="/work/benchvenvs/keras/bin/python",
        help="python of a venv with tensorflow-cpu and keras",
    )
    parser.add_argument("--n-stars", type=int, default=None)
    parser.add_argument(
        "--epochs", type=int, default=None, help="time-to-accuracy budget"
    )
    parser.add_argument(
        "--skip", default="", help="comma list: speed,accuracy,inference"
    )
    parser.add_argument("--out", default="benchmarks/results/training.json")
    args = parser.parse_args()
    if args.keras_worker:
        keras_worker(args.keras_worker, args.batch_size, args.lr, args.threads)
        return

    import numpy as np
    import torch

    skip = set(filter(None, args.skip.split(",")))
    n_stars = args.n_stars or (600 if args.quick else 5000)
    budget = args.epochs or (4 if args.quick else 50)
    blocks, block_epochs = (1, 2) if args.quick else (2, 2)
    seed = 0
    result = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "n_stars": n_stars,
        "cpu_count": os.cpu_count(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "loadavg_start": os.getloadavg(),
    }
    t0 = time.perf_counter()
    X, y = make_data(n_stars, 264, seed)
    result["preprocessing_seconds"] = time.perf_counter() - t0
    train, valid = gru_split(y, seed)
    use_keras = Path(args.keras_python).exists()
    tmp = tempfile.TemporaryDirectory()

    def keras_for(x, threads=0):
        npz = os.path.join(tmp.name, f"data{x.shape[2]}.npz")
        np.savez(
            npz,
            x_train=x[train].transpose(0, 2, 1),
            y_train=y[train],
            x_valid=x[valid].transpose(0, 2, 1),
            y_valid=y[valid],
        )
        return KerasRunner(args.keras_python, npz, threads=threads)

    default_threads = torch.get_num_threads()

    # 1. epoch time, interleaved blocks --------------------------------------
    if "speed" not in skip:
        # name -> (kind, torch threads or keras intra-op threads; 0 = default)
        columns = {
            "keras": ("keras", 0),
            "keras, 1 thread": ("keras", 1),
            "torch_plain": ("plain", default_threads),
            "torch_plain, 1 thread": ("plain", 1),
            "GRURegressor": ("gru", "auto"),
            f"GRURegressor, n_threads={default_threads}": ("gru", default_threads),
        }
        times = {name: [] for name in columns}
        loads = []
        workers = {}
        if use_keras:
            for name, (kind, threads) in columns.items():
                if kind == "keras":
                    workers[name] = keras_for(X, threads)
                    result["keras"] = workers[name].version
                    workers[name].epochs(1)  # graph tracing, not timed
        for _ in range(blocks):
            loads.append(os.getloadavg()[0])
            for name, (kind, threads) in columns.items():
                if kind == "keras":
                    if name in workers:
                        hist = workers[name].epochs(block_epochs)
                        times[name] += [e["seconds"] for e in hist]
                    continue
                if kind == "plain":
                    torch.set_num_threads(threads)
                    hist = plain_torch_epochs(
                        X[train], y[train], X[valid], y[valid], block_epochs + 1, seed
                    )
                else:
                    torch.set_num_threads(default_threads)
                    est = gru_regressor(block_epochs + 1, seed, n_threads=threads)
                    hist = gru_history(est.fit(X, y))
                times[name] += [e["seconds"] for e in hist[1:]]  # first: warm-up
        torch.set_num_threads(default_threads)
        for worker in workers.values():
            worker.close()
        speed = {k: {"median_s": _median(v), "epochs_s": v} for k, v in times.items()}
        ref = speed["keras"]["median_s"]
        for k in speed:
            if ref and speed[k]["median_s"]:
                speed[k]["speedup_vs_keras"] = ref / speed[k]["median_s"]
        speed["loadavg_1min"] = loads
        result["epoch_time_paper_config"] = speed
        print("\nEpoch time, paper configuration (264 points, batch 256)")
        print(f"{'implementation':<24}{'median s/epoch':>16}{'vs Keras':>10}")
        for k in times:
            med = speed[k]["median_s"]
            ratio = speed[k].get("speedup_vs_keras")
            print(
                f"{k:<24}{'-' if med is None else f'{med:.2f}':>16}"
                f"{'' if ratio is None else f'{ratio:.2f}x':>10}"
            )
        print(f"load average (1 min) at each block: {loads}")

    # 2. time to accuracy ------------------------------------------------------
    if "accuracy" not in skip:
        runs = {}
        if use_keras:
            keras = keras_for(X)
            runs["keras (paper)"] = keras.epochs(budget)
            keras.close()
        # name -> (points, torch threads, GRURegressor parameters)
        ablation = {
            "GRURegressor (paper), 1 thread": (264, 1, {}),
            "132 points, 1 thread": (132, 1, {}),
            "66 points, 1 thread": (66, 1, {}),
            "66 points, batch 128, 1 thread": (66, 1, {"batch_size": 128}),
            "66 points, cosine lr, 1 thread": (66, 1, {"lr_schedule": "cosine"}),
        }
        for name, (n_points, threads, kw) in ablation.items():
            step = 264 // n_points
            x = np.ascontiguousarray(X[:, :, ::step])  # the grid j / n_points exactly
            torch.set_num_threads(threads)
            est = gru_regressor(budget, seed, **kw).fit(x, y)
            runs[name] = gru_history(est)
        torch.set_num_threads(default_threads)
        # the first epoch carries one-off costs (Keras graph tracing, torch
        # allocator warm-up): count it at the run's median epoch time instead
        for hist in runs.values():
            hist[0]["seconds_measured"] = hist[0]["seconds"]
            hist[0]["seconds"] = _median([h["seconds"] for h in hist[1:]] or [0.0])
        first = "keras (paper)" if use_keras else "GRURegressor (paper), 1 thread"
        target = min(h["valid_rmse"] for h in runs[first])
        table = {}
        ref_time = time_to(runs[first], target)[0]
        for name, hist in runs.items():
            seconds, epoch = time_to(hist, target)
            table[name] = {
                "best_valid_rmse": min(h["valid_rmse"] for h in hist),
                "median_epoch_s": _median([h["seconds"] for h in hist]),
                "seconds_to_target": seconds,
                "epochs_to_target": epoch,
                "speedup_vs_reference": None if seconds is None else ref_time / seconds,
                "history": hist,
            }
        result["time_to_accuracy"] = {
            "reference": first,
            "target_valid_rmse": target,
            "epoch_budget": budget,
            "runs": table,
            "loadavg_end": os.getloadavg(),
        }
        print(
            f"\nTime to reach validation RMSE {target:.4f} (best of {first} "
            f"in {budget} epochs)"
        )
        print(
            f"{'configuration':<34}{'best RMSE':>10}{'s/epoch':>9}"
            f"{'epochs':>8}{'seconds':>9}{'speedup':>9}"
        )
        for name, row in table.items():
            sec = row["seconds_to_target"]
            print(
                f"{name:<34}{row['best_valid_rmse']:>10.4f}"
                f"{row['median_epoch_s']:>9.2f}{str(row['epochs_to_target']):>8}"
                f"{'-' if sec is None else f'{sec:.1f}':>9}"
                f"{'-' if sec is None else f'{ref_time / sec:.2f}x':>9}"
            )

    # 3. inference throughput -------------------------------------------------
    if "inference" not in skip:
        n_pred = 27_090 if args.quick else 270_905
        rng = np.random.default_rng(0)
        inference = {}
        for n_points, threads in ((264, 1), (132, 1), (66, 1), (66, default_threads)):
            x = np.ascontiguousarray(X[:, :, :: 264 // n_points])
            torch.set_num_threads(threads)
            est = gru_regressor(1, seed).fit(x, y)
            big = x[rng.integers(0, len(x), n_pred)]
            start = time.perf_counter()
            est.predict(big)
            inference[f"{n_points} points, {threads} thread(s)"] = {
                "n_series": n_pred,
                "seconds": time.perf_counter() - start,
                "loadavg": os.getloadavg(),
            }
            del big
        torch.set_num_threads(default_threads)
        result["inference"] = inference
        print(f"\nInference: GRURegressor.predict on {n_pred} series")
        for name, row in inference.items():
            print(
                f"{name:<24}{row['seconds']:>8.1f} s"
                f"  ({row['n_series'] / row['seconds']:,.0f} series/s)"
            )

    result["loadavg_end"] = os.getloadavg()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1))
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
