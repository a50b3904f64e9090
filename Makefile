# Two entry points for a fresh machine: `make run` and `make test`.
# The interpreter .venv is made from: Debian's CPython 3.11 where the machine has it with venv
# (built with PGO and LTO, libpython linked in), else the python3 on PATH (here pyenv's 3.11.7, a
# shared build without them). On Debian's, extraction takes 11-20% less CPU time with every
# figure the same (benchmarks/README.md, "Interpreter"). `make PYTHON=python3 ...` takes the other.
FAST_PYTHON := $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' 2>/dev/null && echo /usr/bin/python3.11)
PYTHON ?= $(or $(FAST_PYTHON),python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

run: install
	$(BIN)/casualties run seeds --out reports

test: install-test
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(VENV) build *.egg-info
