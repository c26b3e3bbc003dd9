"""``skrrl demo``: the main job on the embedded default (a simulated sample)."""

import json
import logging
import time

import numpy as np

logger = logging.getLogger("skrrl.demo")

_MODELS = {
    "gru": "GRURegressor",
    "bigru": "BiGRURegressor",
    "lstm": "LSTMRegressor",
    "bilstm": "BiLSTMRegressor",
    "fcn": "FCNRegressor",
    "resnet": "ResNetRegressor",
    "inception": "InceptionTimeRegressor",
    "convgru": "ConvGRURegressor",
    "convlstm": "ConvLSTMRegressor",
    "transformer": "TransformerRegressor",
    "informer": "InformerRegressor",
}


def relation_baseline():
    """The classical refit linear [Fe/H](P, phi31, R21) relation on Fourier fits.

    Returns
    -------
    sklearn.pipeline.Pipeline
        PhaseFolder -> FourierFeatures -> select (period, phi31, R21) -> OLS.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline

    from skrrl.preprocessing import FourierFeatures, PhaseFolder

    select = ColumnTransformer([("keep", "passthrough", ["period", "phi31", "R21"])])
    features = FourierFeatures(n_harmonics=3).set_output(transform="pandas")
    return make_pipeline(PhaseFolder(), features, select, LinearRegression())


def neural_pipeline(model, n_points, max_epochs, seed, batch_size=32):
    """PhaseFolder -> SplineResampler -> a skrrl neural regressor.

    Parameters
    ----------
    model : str
        Key of the architecture (``"gru"``, ``"fcn"``, ...).
    n_points : int
        Resampled points per curve.
    max_epochs : int
        Maximum training epochs (early stopping on an inner split).
    seed : int
        Random state of the network.
    batch_size : int, default=32
        Mini-batch size; small batches train a small sample in fewer epochs.

    Returns
    -------
    sklearn.pipeline.Pipeline
    """
    from sklearn.pipeline import make_pipeline

    import skrrl.neural
    from skrrl.preprocessing import PhaseFolder, SplineResampler

    try:
        cls = getattr(skrrl.neural, _MODELS[model])
    except KeyError:
        raise ValueError(
            f"unknown --model {model!r}; choose one of {sorted(_MODELS)} or 'none'"
        ) from None
    net = cls(
        max_epochs=max_epochs, batch_size=batch_size, random_state=seed, device="auto"
    )
    return make_pipeline(PhaseFolder(), SplineResampler(n_points=n_points), net)


def run_demo(args):
    """Simulate, cross-validate and print the metrics (see ``skrrl demo --help``).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed command-line arguments.

    Returns
    -------
    dict
        ``{model name: regression report}``.
    """
    from sklearn.model_selection import cross_val_predict

    from skrrl.datasets import make_rrlyrae
    from skrrl.metrics import regression_report
    from skrrl.model_selection import BinnedStratifiedKFold

    logger.info(
        "simulating %d Gaia-like RRab light curves, injected [Fe/H] scatter %.2f dex",
        args.n_stars,
        args.feh_scatter,
    )
    frame, y, truth = make_rrlyrae(
        args.n_stars, kind="ab", feh_scatter=args.feh_scatter, random_state=args.seed
    )
    n_epochs = np.array([len(t) for t in frame["time"]])
    logger.info(
        "epochs per star: median %d (%d-%d)",
        np.median(n_epochs),
        n_epochs.min(),
        n_epochs.max(),
    )
    cv = BinnedStratifiedKFold(n_splits=args.n_splits, shuffle=True, random_state=0)
    models = {"P-phi31-R21 relation": relation_baseline()}
    if args.model != "none":
        models[f"{args.model} network"] = neural_pipeline(
            args.model, args.n_points, args.max_epochs, args.seed, args.batch_size
        )
    reports, predictions = {}, {}
    for name, model in models.items():
        start = time.perf_counter()
        logger.info("%d-fold cross-validation of %s ...", args.n_splits, name)
        pred = cross_val_predict(model, frame, y, cv=cv)
        report = regression_report(y, pred)
        reports[name] = {k: float(v) for k, v in dict(report).items()}
        reports[name]["seconds"] = time.perf_counter() - start
        predictions[name] = pred
        logger.info("  done in %.1f s", reports[name]["seconds"])
    floor = light_curve_floor(frame, truth, args.feh_scatter)
    _print_table(reports, args.feh_scatter, floor)
    if args.plot:
        _plot(y, predictions, args.plot)
        logger.info("figure written to %s", args.plot)
    if args.json:
        with open(args.json, "w") as fh:
            header = {"injected_scatter": args.feh_scatter, "light_curve_floor": floor}
            json.dump({**header, **reports}, fh, indent=2)
    return reports


def light_curve_floor(frame, truth, feh_scatter):
    """Best RMSE the noisy curves allow (Laplace posterior), or None if undefined.

    The injected scatter is the floor for perfect curves only; see
    :func:`skrrl.datasets.rrlyrae_feh_posterior`.
    """
    from skrrl.datasets import rrlyrae_feh_posterior

    if not 0 <= feh_scatter < 0.3:  # the posterior's prior needs this range
        return None
    post = rrlyrae_feh_posterior(
        frame, truth, feh_scatter=feh_scatter, method="laplace"
    )
    return float(np.sqrt(feh_scatter**2 + np.mean(post["std"] ** 2)))


def _print_table(reports, scatter, floor):
    text = f"injected scatter {scatter:.3f} dex"
    if floor is not None:
        text += f"; best possible from these noisy curves about {floor:.3f}"
    print(f"\nOut-of-fold [Fe/H] metrics ({text})")
    print(f"{'model':28s} {'RMSE':>7s} {'MAE':>7s} {'MedAE':>7s} {'R2':>7s} {'s':>7s}")
    for name, r in reports.items():
        print(
            f"{name:28s} {r['rmse']:7.3f} {r['mae']:7.3f} "
            f"{r['median_absolute_error']:7.3f} {r['r2']:7.3f} {r['seconds']:7.1f}"
        )


def _plot(y, predictions, path):
    import matplotlib

    matplotlib.use("Agg")
    from skrrl.plotting import plot_predicted_vs_true

    fig = plot_predicted_vs_true(y, predictions)
    fig.savefig(path, dpi=120)
