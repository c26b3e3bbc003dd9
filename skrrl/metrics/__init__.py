"""skrrl.metrics (being built)."""
