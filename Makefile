# The two quick-start commands are `make up` and `make test`; everything else is a convenience.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help up down preview refresh outputs test test-fast test-reliability test-sdk-range check-dist lint pulumi bench clean

help:
	@echo "make up       deploy the example stack to the local emulator (no account needed)"
	@echo "make down     destroy it"
	@echo "make test     the whole test suite (provider, client, emulator, engine and reliability tests)"
	@echo "make test-reliability   faults, interrupted runs, drift, bad input, secrets (real engine)"
	@echo "make lint     ruff and mypy, over the whole repository (package, tests, bench, scripts, examples)"
	@echo "make test-sdk-range   the unit tests with the oldest and the newest pulumi SDK the package accepts"
	@echo "make check-dist       build the wheel and the sdist and install each into a fresh venv"
	@echo "make bench    the benchmark (bench/run.py)"

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# The Pulumi CLI: the one on PATH if it will do, else a cached build, else built from the Go module proxy.
pulumi: $(STAMP)
	@PYTHON=$(abspath $(PY)) scripts/install-pulumi.sh > $(VENV)/.pulumi-bin

up: pulumi
	$(PY) scripts/quickstart.py up --bin "$$(tail -n1 $(VENV)/.pulumi-bin)"

down: pulumi
	$(PY) scripts/quickstart.py down --bin "$$(tail -n1 $(VENV)/.pulumi-bin)"

preview: pulumi
	$(PY) scripts/quickstart.py preview --bin "$$(tail -n1 $(VENV)/.pulumi-bin)"

refresh: pulumi
	$(PY) scripts/quickstart.py refresh --bin "$$(tail -n1 $(VENV)/.pulumi-bin)"

outputs: pulumi
	$(PY) scripts/quickstart.py outputs --bin "$$(tail -n1 $(VENV)/.pulumi-bin)"

test: pulumi
	ZIS_PULUMI_BIN="$$(tail -n1 $(VENV)/.pulumi-bin)" $(PY) -m pytest

# Only the fault, interruption, drift, bad-input and secrets suite (real engine, ~6 minutes; part of `make test`).
test-reliability: pulumi
	ZIS_PULUMI_BIN="$$(tail -n1 $(VENV)/.pulumi-bin)" $(PY) -m pytest tests/reliability

test-fast: $(STAMP)
	$(PY) -m pytest -m "not engine" --ignore=tests/reliability

# The unit tests in .venv-sdk-oldest and .venv-sdk-newest: the ends of the `pulumi` range in pyproject.toml (~2 min).
test-sdk-range:
	PYTHON=$(PYTHON) scripts/test-sdk-range.sh

# `python -m build`, then the wheel and the sdist each in a fresh venv (~1.5 min; scripts/check-dist.sh says what).
check-dist: $(STAMP)
	PYTHON=$(abspath $(PY)) BASE_PYTHON=$(PYTHON) scripts/check-dist.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: pulumi
	ZIS_PULUMI_BIN="$$(tail -n1 $(VENV)/.pulumi-bin)" $(PY) bench/run.py

clean:
	rm -rf .zis
