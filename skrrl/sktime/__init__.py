"""skrrl.sktime (being built)."""
