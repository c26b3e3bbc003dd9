"""save_model / load_model: a fresh process predicts exactly the same."""

import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import skrrl
from skrrl.neural import (
    BiLSTMRegressor,
    FCNRegressor,
    GRURegressor,
    MLPRegressor,
    load_model,
    save_model,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _padded(seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(40, 2, 9))
    X[:15, :, 6:] = np.nan
    return X, np.nanmean(X[:, 1], axis=1)


def test_fresh_process_gives_identical_predictions(tmp_path):
    X, y = _padded()
    reg = BiLSTMRegressor(
        hidden_sizes=(4, 3), dropout=0.1, max_epochs=2, random_state=0, device="cpu"
    ).fit(X, y)
    path = tmp_path / "model.pt"
    save_model(reg, path)
    np.save(tmp_path / "X.npy", X)
    script = (
        "import sys, numpy as np\n"
        "from skrrl.neural import load_model\n"
        "reg = load_model(sys.argv[1], device='cpu')\n"
        "np.save(sys.argv[2], reg.predict(np.load(sys.argv[3])))\n"
    )
    subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            str(path),
            str(tmp_path / "p.npy"),
            str(tmp_path / "X.npy"),
        ],
        check=True,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1", "PATH": ""},
    )
    np.testing.assert_array_equal(np.load(tmp_path / "p.npy"), reg.predict(X))


@pytest.mark.parametrize(
    "reg",
    [
        FCNRegressor(filters=(3,), kernel_sizes=(8,), max_epochs=2),
        MLPRegressor(hidden_sizes=(5, 4), dropout=(0.1, 0.0), max_epochs=2),
    ],
)
def test_roundtrip_keeps_params_and_fitted_metadata(tmp_path, reg):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(30, 6)), rng.normal(size=30)
    reg.set_params(random_state=0, device="cpu").fit(X, y)
    save_model(reg, tmp_path / "m.pt")
    loaded = load_model(tmp_path / "m.pt")
    assert type(loaded) is type(reg)
    assert loaded.get_params() == reg.get_params()  # tuples stay tuples
    for name in ("n_features_in_", "n_channels_", "n_timepoints_", "n_epochs_"):
        assert getattr(loaded, name) == getattr(reg, name)
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    with pytest.raises(ValueError, match="expecting 6 features"):
        loaded.predict(X[:, :5])


def test_file_is_plain_weights_and_json(tmp_path):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 5)), rng.normal(size=20)
    reg = GRURegressor(hidden_sizes=(3,), dropout=0.0, max_epochs=1, device="cpu")
    save_model(reg.fit(X, y), tmp_path / "m.pt")
    content = torch.load(tmp_path / "m.pt", weights_only=True)
    meta = json.loads(content["metadata"])
    assert meta["skrrl_version"] == skrrl.__version__
    assert meta["class"] == "skrrl.neural._gru.GRURegressor"
    assert meta["params"]["hidden_sizes"] == [3]
    assert meta["fitted"]["n_timepoints_"] == 5
    assert set(content["state_dict"]) == set(reg.net_.module_.state_dict())


def _rewrite_metadata(path, **changes):
    content = torch.load(path, weights_only=True)
    meta = json.loads(content["metadata"])
    meta.update(changes)
    content["metadata"] = json.dumps(meta)
    torch.save(content, path)


def test_version_mismatch_warns_and_bad_files_raise(tmp_path):
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 5)), rng.normal(size=20)
    reg = GRURegressor(hidden_sizes=(3,), dropout=0.0, max_epochs=1, device="cpu")
    path = tmp_path / "m.pt"
    save_model(reg.fit(X, y), path)
    _rewrite_metadata(path, skrrl_version="0.0.1")
    with pytest.warns(UserWarning, match="saved with skrrl 0.0.1"):
        loaded = load_model(path)
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    _rewrite_metadata(path, format=99, skrrl_version=skrrl.__version__)
    with pytest.raises(ValueError, match="format 99"):
        load_model(path)
    _rewrite_metadata(path, format=1, **{"class": "os.system"})
    with pytest.raises(ValueError, match="outside skrrl"):
        load_model(path)
    torch.save({"weights": torch.zeros(2)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a model file"):
        load_model(tmp_path / "other.pt")


def test_unsupported_inputs_raise(tmp_path):
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import Ridge

    with pytest.raises(TypeError, match="skrrl deep regressor"):
        save_model(Ridge().fit([[0.0], [1.0]], [0.0, 1.0]), tmp_path / "r.pt")
    with pytest.raises(NotFittedError):
        save_model(GRURegressor(), tmp_path / "g.pt")


def test_pickle_roundtrip():
    X, y = _padded(1)
    reg = GRURegressor(
        hidden_sizes=(4,), dropout=0.0, max_epochs=2, random_state=0, device="cpu"
    ).fit(X, y)
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))
