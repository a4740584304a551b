.PHONY: venv demo test check bench

# Create or reuse .venv (idempotent; the first run installs for a few minutes).
venv:
	@./scripts/bootstrap.sh

# The main job on the embedded default: local Prefect, SQLite under data/, the demo model.
demo: venv
	.venv/bin/forecaster demo

# The whole test suite, slow end-to-end tests included: two pytest workers, each area's tests on one of them
# (most of an end-to-end test is waiting on servers, workers and heartbeats; the waits overlap). Three ran this
# 24-GB machine out of memory (the OOM killer took engines mid-test).
TEST_WORKERS ?= 2
test: venv
	.venv/bin/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The fast tests only (no engine, no server): a minute or two, for before every change.
check: venv
	.venv/bin/python -m pytest -m "not slow" -q $(PYTEST_ARGS)

# Benchmarks (figures and ratios against a baseline measured in the same run).
bench: venv
	.venv/bin/python -m bench
