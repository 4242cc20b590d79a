# onesdk developer commands. Everything runs in .venv, created from the system python3 on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The one-api 3.6.1 reference lives in its own venv: it is never a dependency of onesdk.
REF_VENV ?= .venvs/one-api-3.6.1
HYPOTHESIS_PROFILE ?= ci
# What the reference venvs hold beside one-api (pytest: pinned as in `dev`)
REF_JOBLIB := joblib==1.6.0
REF_PYTEST := pytest==9.2.0

.PHONY: dev test lint typecheck regen-check pytest demo bench bench-quick bench-cluster reference clean \
	fuzz-nightly reliability-report reference-suite test-floor

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(REF_VENV)/.installed:
	$(PYTHON) -m venv $(REF_VENV)
	$(REF_VENV)/bin/python -m pip install --quiet one-api==3.6.1
	touch $@

# joblib: the one-api side of the cluster bench (python -m bench.cluster) runs in a joblib loop
$(REF_VENV)/.joblib: $(REF_VENV)/.installed
	$(REF_VENV)/bin/python -m pip install --quiet $(REF_JOBLIB)
	touch $@

dev: $(BIN)/.installed

# pytest: tools/reference-suite runs the reference's own tests in this venv (pinned as in `dev`)
$(REF_VENV)/.pytest: $(REF_VENV)/.installed
	$(REF_VENV)/bin/python -m pip install --quiet $(REF_PYTEST)
	touch $@

reference: $(REF_VENV)/.installed $(REF_VENV)/.joblib $(REF_VENV)/.pytest

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: dev
	$(BIN)/mypy

regen-check: dev
	$(BIN)/python tools/regenerate --check

pytest: dev reference
	ONESDK_REFERENCE_PYTHON=$(abspath $(REF_VENV))/bin/python $(BIN)/pytest --hypothesis-profile=$(HYPOTHESIS_PROFILE)

# The runtime behaviour on the oldest versions pyproject.toml allows (tools/floor-constraints.txt),
# against a one-api reference on pandas 2 (the floor is pandas 2: both sides must hold the same dtypes).
FLOOR_VENV ?= .venvs/onesdk-floor
FLOOR_REF_VENV ?= .venvs/one-api-3.6.1-pandas2
FLOOR_CONSTRAINTS := tools/floor-constraints.txt
# Test-only packages, pinned as in `dev` (tests/test_floor_constraints.py checks it); without the
# type checkers and generators, which check the code, not how it runs.
FLOOR_TEST_PINS := pytest==9.2.0 hypothesis==6.170.17 'dask[dataframe,distributed]==2026.8.0' \
	distributed==2026.8.0 matplotlib==3.11.2
# Left out on the floor (they run in `pytest`, on the dev pins):
# - runs of mypy, pyright and the pinned generators (dev tools, not installed in the floor venv);
# - docs/api.md against what tools/api-doc prints: signatures rendered by the installed pydantic and
#   pandas, so the committed file matches one set of versions only (the dev pins).
FLOOR_SKIP := --ignore=tests/examples/test_typing.py \
	--ignore=tests/typing/test_alf_types.py \
	--ignore=tests/typing/test_alyx_rest_types.py \
	--deselect=tests/contract/test_regenerate_golden.py::test_regenerating_reproduces_the_committed_files \
	--deselect=tests/docs/test_api_doc.py::test_committed_api_reference_matches_the_docstrings

$(FLOOR_VENV)/.installed: pyproject.toml $(FLOOR_CONSTRAINTS)
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(FLOOR_VENV)/bin/python -m pip install --quiet -e . $(FLOOR_TEST_PINS) -c $(FLOOR_CONSTRAINTS)
	touch $@

$(FLOOR_REF_VENV)/.installed:
	$(PYTHON) -m venv $(FLOOR_REF_VENV)
	$(FLOOR_REF_VENV)/bin/python -m pip install --quiet one-api==3.6.1 'pandas<3' \
		$(REF_JOBLIB) $(REF_PYTEST)
	touch $@

# PYTHONPATH: this checkout is what runs, wherever the venv's editable install points.
test-floor: $(FLOOR_VENV)/.installed $(FLOOR_REF_VENV)/.installed
	PYTHONPATH=$(CURDIR):$(CURDIR)/generated:$(CURDIR)/tools \
	ONESDK_REFERENCE_PYTHON=$(abspath $(FLOOR_REF_VENV))/bin/python \
		$(FLOOR_VENV)/bin/python -m pytest --hypothesis-profile=$(HYPOTHESIS_PROFILE) $(FLOOR_SKIP)

# The whole test suite: every gate, non-zero exit if any fails.
test: lint typecheck regen-check pytest test-floor bench-quick

demo: dev
	$(BIN)/onesdk demo

bench: dev reference
	$(BIN)/python -m bench --reference-python $(REF_VENV)/bin/python

bench-quick: dev reference
	$(BIN)/python -m bench --quick --reference-python $(REF_VENV)/bin/python

# map_sessions on 1, 2 and 4 Dask workers against a distant file server (about 3 minutes)
bench-cluster: dev reference
	$(BIN)/python -m bench.cluster --reference-python $(REF_VENV)/bin/python

# Long fuzzing run (the nightly Hypothesis profile) of the reliability suite.
fuzz-nightly: dev
	$(BIN)/pytest tests/reliability --hypothesis-profile=nightly

# Run the reliability suite and regenerate docs/reliability.md from the figures it emits.
reliability-report: dev
	ONESDK_RELIABILITY_JSON=$(abspath build/reliability.json) \
		$(BIN)/pytest tests/reliability -q --hypothesis-profile=$(HYPOTHESIS_PROFILE); \
		status=$$?; \
		$(BIN)/python tools/reliability-report --json build/reliability.json \
			--profile $(HYPOTHESIS_PROFILE) && exit $$status

# The reference's offline tests (REFSUITE: a folder one/tests holding them) on onesdk and one-api;
# rewrites docs/reference-suite.md and fails if an onesdk-only failure has no recorded reason.
reference-suite: dev reference
	ONESDK_REFERENCE_PYTHON=$(abspath $(REF_VENV))/bin/python \
		$(BIN)/python tools/reference-suite $(REFSUITE) --check

clean:
	rm -rf $(VENV) .venvs .mypy_cache .ruff_cache .pytest_cache .hypothesis
