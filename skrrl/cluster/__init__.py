"""skrrl.cluster (being built)."""
