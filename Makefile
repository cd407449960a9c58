# Two commands do all the set-up on a fresh machine with python3 (3.10+):
#   make demo   - create .venv if needed, install cxassess, build reports for the bundled sample clients
#   make test   - create .venv if needed, install cxassess with its test extras, run every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check --no-input

.PHONY: demo test install clean

# Reinstall whenever the project's own dependency list changes.
$(BIN)/.installed-runtime: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e . > $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	touch $@

$(BIN)/.installed-dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e ".[dev]" > $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	touch $@ $(BIN)/.installed-runtime

install: $(BIN)/.installed-runtime

demo: $(BIN)/.installed-runtime
	$(BIN)/cxassess demo

test: $(BIN)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
