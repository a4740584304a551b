"""List modules over 300 lines and functions over 50 lines outside tests: `python scripts/check_sizes.py`.

Exit status 1 when any is found. Paths: the application's packages, the plugin, benchmarks.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("forecaster", "flows", "tasks", "bench", "plugins/chronos2-vllm/chronos2_vllm")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50


def oversized(path: Path) -> list[str]:
    """One line per module or function of `path` over its limit."""
    text = path.read_text(encoding="utf-8")
    found = []
    lines = len(text.splitlines())
    name = path.relative_to(ROOT)
    if lines > MAX_MODULE_LINES:
        found.append(f"{name}: module of {lines} lines (limit {MAX_MODULE_LINES})")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{name}:{node.lineno}: {node.name}() of {length} lines (limit {MAX_FUNCTION_LINES})")
    return found


def main() -> int:
    found = [line for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
             for line in oversized(path)]
    print("\n".join(found) if found else "every module and function within its limit")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
