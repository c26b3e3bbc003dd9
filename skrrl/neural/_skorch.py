"""The skorch net used by every skrrl regressor: weighted loss, padded inputs.

skorch's own ``fit(X, y, sample_weight=w)`` does not batch the weights (the
whole vector reaches ``forward``; see the skorch FAQ and issues #203, #801), so
the base packs inputs, lengths and weights in one dict that skorch slices per
batch, and this subclass reads the weights back in :meth:`get_loss`.
"""

import torch
from skorch import NeuralNetRegressor
from skorch.utils import to_tensor


class _WeightedNeuralNet(NeuralNetRegressor):
    """NeuralNetRegressor with a per-batch weighted loss and a penalty term.

    ``X`` is a dict with keys ``"x"`` (float32, ``(n, channels, time)``),
    ``"sample_weight"`` (float32, ``(n,)``) and optionally ``"lengths"``
    (int64, ``(n,)``). The criterion must use ``reduction="none"``.

    The batch loss is ``sum_i w_i * l_i / sum_i w_i`` over the batch, plus the
    module's ``regularization_loss()`` when training. The penalty is left out
    of the validation loss so early stopping monitors the data term only.
    """

    def infer(self, x, **fit_params):
        x = to_tensor(x, device=self.device)
        return self.module_(x["x"], lengths=x.get("lengths"), **fit_params)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        losses = self.criterion_(y_pred, y_true).reshape(len(y_pred), -1).mean(dim=1)
        weight = to_tensor(X["sample_weight"], device=self.device).to(losses.dtype)
        loss = (losses * weight).sum() / weight.sum()
        if training:
            penalty = getattr(self.module_, "regularization_loss", None)
            if penalty is not None:
                loss = loss + penalty()
        return loss


def _resolve_device(device):
    """``"auto"`` -> ``"cuda"`` when available, else ``"cpu"``; others unchanged."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return device
