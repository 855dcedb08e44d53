# IMS: `make run` runs the whole system, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test demo venv clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(VENV)/.installed

run: venv
	PORT=$(PORT) $(PY) scripts/run.py

test: venv
	$(PY) -m pytest

demo: venv
	PORT=$(PORT) $(PY) scripts/demo.py

clean:
	rm -rf $(VENV) var test-artifacts
