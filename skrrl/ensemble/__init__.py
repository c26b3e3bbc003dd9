"""skrrl.ensemble (being built)."""
