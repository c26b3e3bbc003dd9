"""Deep regressors for light curves (PyTorch + skorch), all on one training base.

Importing this subpackage is cheap; torch is imported when an estimator is used.
"""

from skrrl.utils._lazy import lazy_exports

_EXPORTS = {
    "GRURegressor": "._gru",
    "BiGRURegressor": "._gru",
    "LSTMRegressor": "._lstm",
    "BiLSTMRegressor": "._lstm",
    "FCNRegressor": "._fcn",
    "ResNetRegressor": "._resnet",
    "InceptionTimeRegressor": "._inception",
    "ConvGRURegressor": "._conv_rnn",
    "ConvLSTMRegressor": "._conv_rnn",
    "TransformerRegressor": "._transformer",
    "InformerRegressor": "._informer",
    "MLPRegressor": "._mlp",
    "DNNRegressor": "._mlp",
    "save_model": "._persistence",
    "load_model": "._persistence",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
