# Two commands do all the set-up on a fresh machine with python3 (3.10+):
#   make demo   - create .venv if needed, install cxassess, build reports for the bundled sample clients
#   make test   - create .venv if needed, install cxassess with its test extras, run every test
#   make test-fast - the quick tier while working: every test not marked slow (no kernels, batches,
#                 browsers, PDF engines or notebooks), in under a minute
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check --no-input

.PHONY: demo test test-fast install clean system-deps browser-deps

# Reinstall whenever the project's own dependency list changes.
$(BIN)/.installed-runtime: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e . > $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	touch $@

$(BIN)/.installed-dev: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e ".[dev]" > $(VENV)/install.log 2>&1 || (cat $(VENV)/install.log; exit 1)
	touch $@ $(BIN)/.installed-runtime

# Optional speed-up: WeasyPrint subsets fonts in C with Debian's HarfBuzz-Subset library (about 0.25 s
# less per PDF). Installed when we are root with apt; everything works without it.
system-deps:
	@ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1 || \
	   (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1)) ; } || true

# Debian's Chromium for the browser tests (tests/test_browser.py drives it with Playwright; no browser
# is downloaded at run time). Installed when we are root with apt; without it those tests are skipped.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get install -y -qq chromium >/dev/null 2>&1 || \
	   (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1)) ; } || \
	  echo "chromium could not be installed: the browser tests will be skipped"

install: $(BIN)/.installed-runtime

demo: $(BIN)/.installed-runtime system-deps
	$(BIN)/cxassess demo --clients data/clients --out reports

test: $(BIN)/.installed-dev system-deps browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(BIN)/.installed-dev
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
