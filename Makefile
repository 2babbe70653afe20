# Punchcard — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install run demo test test-pg lint format lock migrate bench soak clean

help: ## Show this help (colours only on a terminal)
	@if [ -t 1 ] && [ -z "$$NO_COLOR" ]; then on='\033[36m'; off='\033[0m'; else on=''; off=''; fi; \
	grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*?## "}; {printf "  %s%-10s%s %s\n", on, $$1, off, $$2}'

$(STAMP): pyproject.toml requirements.lock sdk/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e ./sdk
	touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its test extras (quick when nothing changed)

migrate: install ## Apply database migrations (PUNCHCARD_DATABASE_URL, default SQLite ./var/punchcard.db)
	$(BIN)/punchcard migrate

run: install ## Install, migrate, and serve on http://127.0.0.1:8000 (make run PORT=8080 HOST=0.0.0.0)
	$(BIN)/punchcard migrate
	$(BIN)/punchcard serve --host $(HOST) --port $(PORT)

demo: install ## Load a demo tenant (1,000 members, a year of orders) and print its login (make demo MEMBERS=200)
	$(BIN)/punchcard migrate
	$(BIN)/punchcard demo --members $(or $(MEMBERS),1000)

test: install ## Run the whole test suite (SQLite; PostgreSQL when PUNCHCARD_TEST_DATABASE_URL is set)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q

soak: install ## The reliability suite at full size: 10,000 fuzz cases a face, 20 crash rounds (docs/reliability.md)
	PUNCHCARD_SOAK=1 $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -q tests/reliability

lint: install ## ruff (lint + format check), mypy --strict on src/ and the SDK (sdk/src, sdk/tests), import-linter layer contract
	$(BIN)/ruff check src tests sdk
	$(BIN)/ruff format --check src tests sdk
	$(BIN)/mypy
	cd sdk && ../$(BIN)/mypy
	$(BIN)/lint-imports

format: install ## Apply ruff's formatting and fixes
	$(BIN)/ruff format src tests sdk
	$(BIN)/ruff check --fix src tests sdk

lock: ## Re-resolve dependencies into requirements.lock (after editing pyproject.toml)
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet --disable-pip-version-check -e ".[test]"
	.lockenv/bin/pip freeze --exclude-editable --disable-pip-version-check | grep -v '^punchcard' > requirements.lock
	rm -rf .lockenv

bench: install ## Issue 10's goals: Punchcard vs the reference app and django-hordak (needs wrk, PostgreSQL); writes docs/benchmarks.md
	$(BIN)/python bench/run.py

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
