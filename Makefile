# Two entry points for a fresh machine: `make demo` and `make test`.
# Both create .venv/ and install skrrl into it first (once).
PYTHON ?= python3
VENV ?= .venv
# torch is installed before the project so pip does not pick a multi-GB CUDA build
# on CPU-only machines; override with e.g. `make test TORCH=torch`.
TORCH ?= torch==2.13.0
BIN := $(VENV)/bin

.PHONY: demo test lint docs bench clean

$(BIN)/.skrrl-installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

demo: $(BIN)/.skrrl-installed
	$(BIN)/skrrl demo

test: $(BIN)/.skrrl-installed
	$(BIN)/python -m pytest -n 2 --dist loadfile -q

lint: $(BIN)/.skrrl-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

docs: $(BIN)/.skrrl-installed
	$(BIN)/python -m pip install --quiet -e ".[doc]"
	$(BIN)/sphinx-build -b html docs docs/_build/html

clean:
	rm -rf $(VENV) docs/_build docs/auto_examples docs/generated
