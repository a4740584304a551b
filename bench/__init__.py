"""Benchmarks: each module has a `main()` printing figures and ratios against a baseline from the same run."""
