# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml Makefile
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,ray]'  # ray: the tests start a real Ray head
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/scheduler solve scenarios/tourism.yaml -o out --time-limit 30 --force

test: $(STAMP)
	$(BIN)/ruff check scheduler tests benchmarks scenarios
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check scheduler tests benchmarks scenarios
	$(BIN)/ruff format --check scheduler tests benchmarks scenarios

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_retailer.py

clean:
	rm -rf $(VENV) out .pytest_cache
