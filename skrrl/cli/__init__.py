"""skrrl.cli (being built)."""
