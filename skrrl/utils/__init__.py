"""Internal utilities shared across skrrl (docstrings, validation, testing)."""
