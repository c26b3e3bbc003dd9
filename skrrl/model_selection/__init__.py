"""skrrl.model_selection (being built)."""
