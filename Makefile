# onesdk developer commands. Everything runs in .venv, created from the system python3 on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The one-api 3.6.1 reference lives in its own venv: it is never a dependency of onesdk.
REF_VENV ?= .venvs/one-api-3.6.1
HYPOTHESIS_PROFILE ?= ci

.PHONY: dev test lint typecheck regen-check pytest demo bench bench-quick bench-cluster reference clean \
	fuzz-nightly reliability-report reference-suite

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
	$(REF_VENV)/bin/python -m pip install --quiet joblib==1.6.0
	touch $@

dev: $(BIN)/.installed

# pytest: tools/reference-suite runs the reference's own tests in this venv (pinned as in `dev`)
$(REF_VENV)/.pytest: $(REF_VENV)/.installed
	$(REF_VENV)/bin/python -m pip install --quiet pytest==9.2.0
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

# The whole test suite: every gate, non-zero exit if any fails.
test: lint typecheck regen-check pytest bench-quick

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
