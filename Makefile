# Two commands do all the set-up from a fresh clone:
#   make lab    create the environment on first use, then open JupyterLab on notebooks/
#   make test   create the environment on first use, then run the whole test suite
# Python 3.11+ is the only requirement; set PYTHON=python3.12 to choose another one.
# The environment is installed with uv when it can be had (uv on PATH, or uv's wheel
# from PyPI into the new venv): about 10x faster than pip; otherwise with pip.
# Extra JupyterLab arguments: make lab ARGS="--no-browser --port 8899"

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))
PYTEST_ARGS ?=
ARGS ?=

.PHONY: lab test test-postgres lint bench notebooks solved clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "depipe-course needs Python 3.11 or newer; run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	@if command -v uv >/dev/null 2>&1; then uv=uv; \
	elif $(BIN)/python -m pip install --quiet --disable-pip-version-check uv >/dev/null 2>&1; then uv=$(BIN)/uv; \
	else uv=; fi; \
	if [ -n "$$uv" ] && $$uv pip install --quiet --python $(BIN)/python -e ".[dev]"; then \
		echo "installed the environment with uv"; \
	else \
		echo "uv not available: installing with pip (a few minutes)"; \
		$(BIN)/python -m pip install --quiet --upgrade pip && $(BIN)/python -m pip install --quiet -e ".[dev]"; \
	fi
	@# Build matplotlib's font cache now, not in the middle of a notebook's output.
	$(BIN)/python -c "import matplotlib.pyplot"
	rm -f $(VENV)/.installed-* && touch $(STAMP)

lab: $(STAMP)
	$(BIN)/depipe lab $(ARGS)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile tests $(NOTEBOOKS) --nbval \
		--nbval-sanitize-with notebooks/sanitize.cfg $(PYTEST_ARGS)

# The whole suite with the part-10 pipeline tests on PostgreSQL too, exactly as CI runs it:
# uses $$DATABASE_URL if it answers, else starts a throw-away server on 127.0.0.1 (.ci/postgres.sh).
test-postgres:
	.ci/run

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m benchmarks

# Instructors: re-run the learner notebooks and store their outputs (what nbval compares).
notebooks: $(STAMP)
	$(BIN)/depipe execute $(NOTEBOOKS)

# Instructors: solved copies of every notebook, filled from solutions/.
solved: $(STAMP)
	$(BIN)/depipe solve --out build/solved

clean:
	rm -rf $(VENV) build .pytest_cache
