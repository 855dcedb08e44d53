# IMS: `make run` runs the whole system, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint demo venv clean fault bench translations system-deps

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(VENV)/.installed

# The compiled catalogue is generated (not committed): rebuilt whenever its .po changes.
MO := gateway/translations/en/LC_MESSAGES/messages.mo
$(MO): gateway/translations/en/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -d gateway/translations

translations: $(MO)

run: venv translations
	PORT=$(PORT) $(PY) scripts/run.py

# Chromium, docker-compose (to check docker-compose.yml) and a running RabbitMQ, with apt where missing.
system-deps:
	bash scripts/ensure_system_deps.sh

# ruff over the whole tree, mypy over the domains and ims_common's pure modules (pyproject.toml)
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: lint system-deps venv translations
	$(PY) -m pytest

fault: system-deps venv translations
	IMS_FAULT_BROKER_RESTART=1 $(PY) -m pytest tests/fault

# SCALE=full for five years of history (~400,000 bookings, ~3.8 million events; ~10 min to generate)
bench: venv translations
	BENCH=1 bash scripts/ensure_system_deps.sh
	$(PY) -m bench.run --scale $(or $(SCALE),default)

demo: venv translations
	PORT=$(PORT) $(PY) scripts/demo.py

clean:
	rm -rf $(VENV) var test-artifacts
