"""The package's layers: each module imports only from its own layer or the ones below it."""

from __future__ import annotations

import ast
from pathlib import Path

from forecaster.settings import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "forecaster"
# Bottom to top. The root's shared pieces first, the areas by what they use, the doors and the CLI last.
LAYERS = (
    {"errors", "names", "input_files", "db", "settings", "settings_members", "settings_feeds", "settings_series", "logging_setup",
     "progress", "retry_after"},
    {"llm", "retrieval", "timeseries", "scoring", "series"},
    {"events"},
    {"feeds"},
    {"learning"},
    {"orchestration"},
    {"question_files", "flow_parameters", "config_checks", "runtime"},
    {"cli"},
)


def layer_of(name: str) -> int:
    return next(i for i, names in enumerate(LAYERS) if name in names)


def imported_areas(path: Path) -> set[str]:
    """The top-level names under `forecaster.` a module imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("forecaster."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("forecaster.")}
    return found


def modules() -> list[tuple[str, Path]]:
    return [(p.relative_to(PACKAGE).with_suffix("").parts[0], p) for p in sorted(PACKAGE.rglob("*.py"))
            if p.name != "__init__.py" or p.parent != PACKAGE]


def test_every_module_of_the_package_has_a_layer():
    assert {area for area, _ in modules()} <= set().union(*LAYERS)


def test_no_module_imports_one_from_a_layer_above_it():
    upward = [f"{path.relative_to(PROJECT_ROOT)} imports forecaster.{target}"
              for area, path in modules() for target in imported_areas(path)
              if target != area and layer_of(target) > layer_of(area)]
    assert upward == []
