"""skrrl.tuning (being built)."""
