# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test lint format clean bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# Stamp files: reinstall only when a requirements file changes.
$(VENV)/.runtime: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -r requirements-dev.txt
	touch $(VENV)/.runtime $@

## run: the portal on http://127.0.0.1:8000, a Celery worker and a trainer, on embedded defaults.
run: $(VENV)/.runtime
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_catalogue
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_tutorials
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_paths
	DEBUG=$${DEBUG:-1} $(PY) manage.py serve

## test: the whole suite (unit, integration, services, browser).
test: $(VENV)/.dev
	$(PY) -m pytest $(PYTEST_ARGS)

## bench: every benchmark in turn (about 2 hours); BENCH_ARGS=--quick for a smoke run,
## BENCH_ARGS="--only load" for one. Output in var/bench/; see benchmarks/README.md.
bench: $(VENV)/.dev
	$(PY) benchmarks/run_all.py $(BENCH_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var staticfiles test-artifacts
