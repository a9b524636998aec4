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

# `make test` runs one pytest worker per core (pytest-xdist), each with its own PostgreSQL
# databases: about 115 s instead of 185 s on 2 cores, as many tests wait on a subprocess,
# the network or a timer.
test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n auto --dist worksteal
