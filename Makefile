# IMS: `make run` runs the whole system, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test demo venv clean fault bench

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(VENV)/.installed

run: venv
	PORT=$(PORT) $(PY) scripts/run.py

test: venv
	$(PY) -m pytest

fault: venv
	IMS_FAULT_BROKER_RESTART=1 $(PY) -m pytest tests/fault

# SCALE=full for five years of history (~400,000 bookings, ~4 million events; hours)
bench: venv
	$(PY) -m bench.run --scale $(or $(SCALE),default)

demo: venv
	PORT=$(PORT) $(PY) scripts/demo.py

clean:
	rm -rf $(VENV) var test-artifacts
