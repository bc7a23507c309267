# The two commands a newcomer needs: `make run` and `make test`. Both install what they need.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
PYTHON ?= python3
UV := .tools/bin/uv
VENV := .venv/.synced

.PHONY: run test unit integration e2e contract security lint bench mutation install clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(VENV): $(UV) uv.lock pyproject.toml */*/pyproject.toml cli/pyproject.toml
	$(UV) sync --frozen --all-packages --python $(PYTHON)
	@touch $@

install: $(VENV)

run: $(VENV)  ## the whole system on this machine: embedded PostgreSQL + Tansu, every service, gateway on :8000
	.venv/bin/crm run

test: $(VENV)  ## every test tier, against real PostgreSQL and a real Kafka-compatible broker
	.venv/bin/pytest -q

unit: $(VENV)
	.venv/bin/pytest -q shared services tests/unit

integration: $(VENV)
	.venv/bin/pytest -q tests/integration

e2e: $(VENV)
	.venv/bin/pytest -q tests/e2e

security: $(VENV)  ## schemathesis over the running gateway's OpenAPI, real tokens (also in `make test`)
	.venv/bin/pytest -q tests/security

contract: $(VENV)  ## the published documents through integrators' tools (Node ones via npm ci in tools/contracts)
	.venv/bin/pytest -q tests/contract tests/e2e/test_generated_client.py

lint: $(VENV)  ## ruff and mypy (strict) on all code
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy shared/*/src services/*/src cli/src

bench: $(VENV)  ## performance figures (printed, never asserted)
	.venv/bin/python bench/bench.py

mutation: $(VENV)  ## would the tests notice a wrong rule? mutation scores per module (slow; not in `make test`)
	.venv/bin/python mutation/run.py --min 90

clean:
	rm -rf .venv .tools var tools/contracts/node_modules */*/mutants
