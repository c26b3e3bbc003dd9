"""The shared training base: weighted loss, validation, splits, seeding, routing."""

import numpy as np
import pytest
import sklearn
import torch
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils.validation import check_random_state

from skrrl.neural import GRURegressor, LSTMRegressor, MLPRegressor
from skrrl.neural._base import _stratified_holdout


@pytest.fixture(autouse=True)
def _one_thread():
    # tiny networks: thread start-up dominates, and the cores are shared
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _gru(**kw):
    params = {
        "hidden_sizes": (4,),
        "dropout": 0.0,
        "max_epochs": 3,
        "batch_size": 16,
        "validation_fraction": None,
        "random_state": 0,
        "device": "cpu",
    }
    params.update(kw)
    return GRURegressor(**params)


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 10))
    y = X[:, -3:].mean(axis=1) + 0.1 * rng.normal(size=60)
    return X, y


def test_weighted_loss_is_hand_computed_weighted_mse(data):
    X, y = data
    reg = _gru(kernel_l2=0.01, recurrent_l1=0.02).fit(X, y)
    net = reg.net_
    y_pred = torch.tensor([[0.5], [-1.0], [2.0], [0.0]])
    y_true = torch.tensor([[1.0], [-1.5], [0.0], [3.0]])
    w = np.array([1.0, 2.0, 0.5, 0.0], dtype=np.float32)
    loss = net.get_loss(y_pred, y_true, X={"sample_weight": torch.from_numpy(w)})
    expected = (1 * 0.25 + 2 * 0.25 + 0.5 * 4.0 + 0 * 9.0) / 3.5
    assert loss.item() == pytest.approx(expected, rel=1e-6)

    # training adds the penalty: kernel L2 on W_ih, recurrent L1 on W_hh
    state = {k: v.numpy() for k, v in net.module_.state_dict().items()}
    penalty = (
        0.01 * (state["layers.0.weight_ih_l0"] ** 2).sum()
        + 0.02 * np.abs(state["layers.0.weight_hh_l0"]).sum()
    )
    train_loss = net.get_loss(
        y_pred, y_true, X={"sample_weight": torch.from_numpy(w)}, training=True
    )
    assert train_loss.item() == pytest.approx(expected + penalty, rel=1e-5)


@pytest.mark.parametrize("validation_fraction", [None, 0.2])
def test_zero_weight_rows_do_not_influence_the_fit(data, validation_fraction):
    X, y = data
    rng = np.random.RandomState(1)
    w = rng.uniform(0.5, 2.0, size=len(y))
    extra = rng.normal(size=(15, X.shape[1])) * 10
    X_all = np.vstack([X[:30], extra, X[30:]])
    y_all = np.concatenate([y[:30], rng.normal(size=15) * 10, y[30:]])
    w_all = np.concatenate([w[:30], np.zeros(15), w[30:]])
    kw = {"validation_fraction": validation_fraction, "patience": 2, "max_epochs": 4}
    with_zeros = _gru(**kw).fit(X_all, y_all, sample_weight=w_all)
    without = _gru(**kw).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(with_zeros.predict(X), without.predict(X))
    # the heavy rows would have changed the fit had they counted
    unweighted = _gru(**kw).fit(X_all, y_all)
    assert not np.array_equal(unweighted.predict(X), without.predict(X))


def test_unit_weights_equal_no_weights_and_scale_free(data):
    X, y = data
    ref = _gru().fit(X, y).predict(X)
    np.testing.assert_array_equal(
        _gru().fit(X, y, sample_weight=np.ones(len(y))).predict(X), ref
    )
    # the batch loss divides by the weight sum: scaling all weights is a no-op
    np.testing.assert_allclose(
        _gru().fit(X, y, sample_weight=np.full(len(y), 7.0)).predict(X),
        ref,
        rtol=1e-5,
        atol=1e-6,
    )


def test_reproducible_without_touching_global_rng(data):
    X, y = data
    torch_state = torch.random.get_rng_state().clone()
    np_state = np.random.get_state()[1].copy()  # noqa: NPY002
    kw = {"dropout": 0.3, "validation_fraction": 0.2}
    a = _gru(**kw).fit(X, y).predict(X)
    b = _gru(**kw).fit(X, y).predict(X)
    assert torch.equal(torch_state, torch.random.get_rng_state())
    np.testing.assert_array_equal(np_state, np.random.get_state()[1])  # noqa: NPY002
    np.testing.assert_array_equal(a, b)
    c = _gru(random_state=1, **kw).fit(X, y).predict(X)
    assert not np.allclose(a, c)


def test_stratified_holdout_covers_the_target_range():
    y = np.random.RandomState(0).normal(size=200)
    train, valid = _stratified_holdout(y, 0.1, np.random.RandomState(0))
    assert len(valid) == 20 and len(train) == 180
    assert np.intersect1d(train, valid).size == 0
    # exactly one validation sample in each block of 10 consecutive ranks
    ranks = np.argsort(np.argsort(y))
    np.testing.assert_array_equal(np.sort(ranks[valid] // 10), np.arange(20))
    again, _ = _stratified_holdout(y, 0.1, np.random.RandomState(0))
    np.testing.assert_array_equal(train, again)


def test_early_stopping_restores_the_best_epoch(data):
    X, y = data
    rng = np.random.RandomState(0)
    y_noise = rng.normal(size=len(y))  # nothing to learn: validation loss rises
    reg = _gru(
        hidden_sizes=(16,), lr=0.05, max_epochs=40, patience=3, validation_fraction=0.25
    ).fit(X, y_noise)
    valid_losses = reg.net_.history[:, "valid_loss"]
    assert reg.n_epochs_ == len(valid_losses) < 40
    # recompute the split exactly as fit does and score the restored weights
    split_rng = check_random_state(0)
    split_rng.randint(np.iinfo(np.int32).max)
    _, valid = _stratified_holdout(y_noise, 0.25, split_rng)
    pred = reg.predict(X[valid])
    mse = np.mean((pred - y_noise[valid]) ** 2)
    assert mse == pytest.approx(min(valid_losses), rel=1e-5)
    assert mse < valid_losses[-1]


def test_no_validation_trains_all_epochs(data):
    X, y = data
    reg = _gru(max_epochs=4).fit(X, y)
    assert reg.n_epochs_ == 4
    assert "valid_loss" not in reg.net_.history[-1]


def test_verbose_prints_epoch_table(data, capsys):
    X, y = data
    _gru(max_epochs=2).fit(X, y)
    assert capsys.readouterr().out == ""
    _gru(max_epochs=2, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "epoch" in out and "train_loss" in out


def test_multichannel_3d_and_device_auto(data):
    X, y = data
    X3 = np.stack([X, X**2], axis=1)
    reg = _gru(device="auto").fit(X3, y)
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert next(reg.net_.module_.parameters()).device.type == expected
    assert (reg.n_channels_, reg.n_timepoints_, reg.n_features_in_) == (2, 10, 2)
    assert reg.predict(X3).shape == (len(y),)
    with pytest.raises(ValueError, match="expecting 2 features"):
        reg.predict(X)  # 2D input is one channel of 10 timepoints
    with pytest.raises(ValueError, match="fitted on 2 channel"):
        reg.predict(X3[:, :, :8])


@pytest.mark.parametrize(
    "schedule,optimizer", [("cosine", "adamw"), ("plateau", "sgd"), (None, "rmsprop")]
)
def test_optimizers_and_schedules_train(data, schedule, optimizer):
    X, y = data
    reg = _gru(lr_schedule=schedule, optimizer=optimizer, validation_fraction=0.2)
    assert np.isfinite(reg.fit(X, y).predict(X)).all()


@pytest.mark.parametrize(
    "make_X,match",
    [
        (lambda X: X[:, :, None, None], "2D .* or 3D"),
        (lambda X: np.where(np.arange(10) == 4, np.nan, X), "NaN inside"),
        (
            lambda X: np.where(np.arange(10) == 0, np.nan, X),
            "NaN inside or at the start",
        ),
        (lambda X: np.full_like(X, np.nan), "non-empty"),
        (lambda X: np.where(np.arange(10) == 9, np.inf, X), "infinity"),
    ],
)
def test_bad_X_raises(data, make_X, match):
    X, y = data
    with pytest.raises(ValueError, match=match):
        _gru().fit(make_X(X), y)


def test_nan_in_one_channel_only_raises(data):
    X, y = data
    X3 = np.stack([X, X], axis=1)
    X3[3, 0, 8:] = np.nan
    with pytest.raises(ValueError, match="some channels only"):
        _gru().fit(X3, y)


def test_bad_y_weights_and_params_raise(data):
    X, y = data
    y_nan = y.copy()
    y_nan[5] = np.nan
    with pytest.raises(ValueError, match="y contains NaN"):
        _gru().fit(X, y_nan)
    with pytest.raises(ValueError, match="[Nn]egative"):
        _gru().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="non-zero"):
        _gru().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="need at least 2"):  # after the split
        _gru(validation_fraction=0.2).fit(X[:1], y[:1])
    with pytest.raises(ValueError, match="optimizer"):
        _gru(optimizer="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="validation_fraction"):
        _gru(validation_fraction=1.5).fit(X, y)


def test_tabular_models_reject_trailing_nan(data):
    X, y = data
    X = X.copy()
    X[0, -1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        MLPRegressor(max_epochs=1, random_state=0, device="cpu").fit(X, y)


def _check_weights_reached(model, X, y, w, kw):
    """``model`` was fitted with weights ``w``: equal to a direct weighted fit."""
    direct = _gru(**kw).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(model.predict(X), direct.predict(X))
    assert not np.array_equal(_gru(**kw).fit(X, y).predict(X), direct.predict(X))


@pytest.fixture
def routing():
    with sklearn.config_context(enable_metadata_routing=True):
        yield


def test_weights_through_pipeline_and_grid_search_routing_off(data):
    X, y = data
    w = np.random.RandomState(3).uniform(0, 3, size=len(y))
    pipe = Pipeline([("id", FunctionTransformer()), ("reg", _gru())])
    pipe.fit(X, y, reg__sample_weight=w)
    _check_weights_reached(pipe, X, y, w, {})

    search = GridSearchCV(_gru(), {"max_epochs": [2, 3]}, cv=KFold(3)).fit(
        X, y, sample_weight=w
    )
    _check_weights_reached(search, X, y, w, search.best_params_)

    res = cross_validate(
        _gru(), X, y, cv=KFold(3), params={"sample_weight": w}, return_estimator=True
    )
    for est, (train, _) in zip(res["estimator"], KFold(3).split(X)):
        direct = _gru().fit(X[train], y[train], sample_weight=w[train])
        np.testing.assert_array_equal(est.predict(X), direct.predict(X))


def test_weights_through_pipeline_and_grid_search_routing_on(data, routing):
    X, y = data
    w = np.random.RandomState(3).uniform(0, 3, size=len(y))
    reg = (
        _gru().set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
    )
    pipe = Pipeline([("id", FunctionTransformer()), ("reg", reg)])
    pipe.fit(X, y, sample_weight=w)
    _check_weights_reached(pipe, X, y, w, {})

    search = GridSearchCV(reg, {"max_epochs": [2, 3]}, cv=KFold(3))
    search.fit(X, y, sample_weight=w)
    _check_weights_reached(search, X, y, w, search.best_params_)

    res = cross_validate(
        pipe, X, y, cv=KFold(3), params={"sample_weight": w}, return_estimator=True
    )
    for est, (train, _) in zip(res["estimator"], KFold(3).split(X)):
        direct = _gru().fit(X[train], y[train], sample_weight=w[train])
        np.testing.assert_array_equal(est.predict(X), direct.predict(X))


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_fit_predict(data):
    X, y = data
    reg = _gru(device="cuda").fit(X, y)
    assert next(reg.net_.module_.parameters()).is_cuda
    cpu_like = reg.predict(X)
    assert cpu_like.dtype == np.float64 and np.isfinite(cpu_like).all()


def test_patience_none_trains_all_epochs_and_keeps_the_best(data):
    X, y = data
    y_noise = np.random.RandomState(0).normal(size=len(y))
    reg = _gru(
        hidden_sizes=(16,),
        lr=0.05,
        max_epochs=8,
        patience=None,
        validation_fraction=0.25,
    ).fit(X, y_noise)
    valid_losses = reg.net_.history[:, "valid_loss"]
    assert reg.n_epochs_ == 8
    assert np.argmin(valid_losses) < 7  # the restored epoch is not the last
    split_rng = check_random_state(0)
    split_rng.randint(np.iinfo(np.int32).max)
    _, valid = _stratified_holdout(y_noise, 0.25, split_rng)
    mse = np.mean((reg.predict(X[valid]) - y_noise[valid]) ** 2)
    assert mse == pytest.approx(min(valid_losses), rel=1e-5)


def test_cosine_schedule_anneals_the_learning_rate(data):
    X, y = data
    reg = _gru(lr=0.02, max_epochs=4, lr_schedule="cosine").fit(X, y)
    lr = reg.net_.optimizer_.param_groups[0]["lr"]
    assert lr == pytest.approx(0.0, abs=1e-9)  # cos(pi) after max_epochs steps


@pytest.mark.parametrize(
    ("cls", "n_threads", "expected"),
    [
        (GRURegressor, "auto", 2),  # recurrent: at most two threads
        (LSTMRegressor, "auto", 2),
        (GRURegressor, 1, 1),
        (MLPRegressor, "auto", 3),  # others: torch's setting
        (GRURegressor, None, 3),
    ],
)
def test_n_threads_applies_during_fit_and_predict_then_restores(
    data, monkeypatch, cls, n_threads, expected
):
    X, y = data
    torch.set_num_threads(3)
    seen = []
    forward = torch.nn.Module.__call__

    def spy(module, *args, **kwargs):
        seen.append(torch.get_num_threads())
        return forward(module, *args, **kwargs)

    kw = {"max_epochs": 1, "random_state": 0, "device": "cpu"}
    reg = cls(n_threads=n_threads, **kw)
    monkeypatch.setattr(torch.nn.Module, "__call__", spy)
    reg.fit(X, y).predict(X)
    monkeypatch.undo()
    assert seen and set(seen) == {expected}
    assert torch.get_num_threads() == 3


@pytest.mark.parametrize("bad", [0, -1, 1.5, "all"])
def test_bad_n_threads_raises(data, bad):
    X, y = data
    with pytest.raises(ValueError, match="n_threads"):
        _gru(n_threads=bad).fit(X, y)
