"""Plain PyTorch modules behind the skrrl regressors (no scikit-learn imports here).

Contract shared by every network in this folder
-----------------------------------------------
- ``__init__(self, n_channels, n_timepoints, **hyperparameters)``: input sizes first,
  then flat architecture hyperparameters (widths, depths, dropout, ...).
- ``forward(self, x, lengths=None)``: ``x`` is a float tensor of shape
  ``(batch, n_channels, n_timepoints)``; series shorter than ``n_timepoints`` are
  padded at the end (with zeros) and ``lengths`` (int64, shape ``(batch,)``) gives the
  number of valid timepoints of each; ``None`` means all are full length. Padding
  must not change the output: recurrent layers freeze their states after each
  series' end (fused CPU training) or take packed sequences, convolutional and
  attention models mask their pooling/attention. Returns shape ``(batch, 1)``.
- optional ``regularization_loss(self)``: a scalar tensor added to the training loss
  (e.g. the paper's L1 recurrent / L2 kernel penalties).
"""
