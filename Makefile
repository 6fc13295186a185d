# The book's two commands: `make book` and `make test` (both set up .venv first).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
JB_FLAGS := -W -n --keep-going
CHAPTERS := $(sort $(wildcard chapters/*.ipynb))

PDF := _build/pdf/wechat-information-flows.pdf
NOEXEC_CONFIG = sed 's/^  execute_notebooks: cache$$/  execute_notebooks: "off"/' _config.yml > _build_config.yml

.PHONY: setup book test execute bench lint clean html-noexec pdf

setup: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m infoflow.warmup
	touch $(STAMP)

## make book: set up, then build the HTML book into _build/html (chapters run through the cache)
book: setup
	$(BIN)/jupyter-book build . $(JB_FLAGS)

## make execute: re-run every chapter top to bottom in a fresh kernel, store its outputs, and
## record each one's time and result in status/execution.csv (shown in the environment appendix)
execute: setup
	$(BIN)/python -m infoflow.status execute $(CHAPTERS)

## the strict build from the stored outputs (nbval re-executes them in `make test`)
html-noexec: setup
	$(NOEXEC_CONFIG)
	$(BIN)/jupyter-book build . $(JB_FLAGS) --config _build_config.yml; status=$$?; rm -f _build_config.yml; exit $$status

## make pdf: the whole book as one PDF, offline: the single-page HTML build (stored outputs)
## printed by the browser test's headless Chromium; copied beside the HTML book, which links it
pdf: setup
	$(NOEXEC_CONFIG)
	$(BIN)/jupyter-book build . $(JB_FLAGS) --builder singlehtml --config _build_config.yml; \
	  status=$$?; rm -f _build_config.yml; exit $$status
	$(BIN)/python -m infoflow.pdf _build/singlehtml/intro.html $(PDF)
	mkdir -p _build/html && cp $(PDF) _build/html/

lint: setup
	$(BIN)/ruff check .

## make test: set up, lint, strict HTML build, PDF, then one pytest run: unit, data, notebooks (nbval),
## data package, PDF and browser (the PDF adds about two minutes; the browser test checks the link to it)
test: setup lint html-noexec pdf
	INFOFLOW_OFFLINE=1 $(BIN)/python -m pytest tests chapters -m "not slow" --nbval \
	  --nbval-sanitize-with tests/sanitize.cfg --nbval-current-env -p no:cacheprovider

## make bench: peer benchmarks, then the slow calibration tests (coverage and power; not part of make test)
bench: setup
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	$(BIN)/python -m benchmarks.run
	INFOFLOW_OFFLINE=1 $(BIN)/python -m pytest tests -m slow -p no:cacheprovider

clean:
	rm -rf _build
