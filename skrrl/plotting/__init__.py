"""skrrl.plotting (being built)."""
