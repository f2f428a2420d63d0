# Two commands for a fresh clone: `make book` and `make test`.
# Each creates .venv from requirements.txt on first use.
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

$(INSTALLED): requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

.PHONY: venv
venv: $(INSTALLED)
