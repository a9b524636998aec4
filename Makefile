# `make run` and `make test` are the README's quick start; each builds ./.venv when needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/pointage-installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

.PHONY: run test install
install: $(BIN)/pointage-installed

run: install
	$(BIN)/python -m bot

test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q
