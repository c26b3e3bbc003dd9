"""skrrl.weighting (being built)."""
