"""skrrl.preprocessing (being built)."""
