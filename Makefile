.PHONY: venv demo test check bench

# Create or reuse .venv (idempotent; the first run installs for a few minutes).
venv:
	@./scripts/bootstrap.sh

# The main job on the embedded default: local Prefect, SQLite under data/, the demo model.
demo: venv
	.venv/bin/forecaster demo

# The whole test suite, slow end-to-end tests included.
test: venv
	.venv/bin/python -m pytest $(PYTEST_ARGS)

# The fast tests only (no engine, no server): a minute or two, for before every change.
check: venv
	.venv/bin/python -m pytest -m "not slow" -q $(PYTEST_ARGS)

# Benchmarks (figures and ratios against a baseline measured in the same run).
bench: venv
	.venv/bin/python -m bench
