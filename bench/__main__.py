"""Run every benchmark module in this package (`python -m bench`), or those named (`python -m bench retrieval`)."""

import importlib
import pkgutil
import sys
from pathlib import Path

if __name__ == "__main__":
    here = str(Path(__file__).parent)
    names = sys.argv[1:] or sorted(m.name for m in pkgutil.iter_modules([here]) if not m.name.startswith("_"))
    for name in names:
        print(f"== bench.{name}", flush=True)
        module = importlib.import_module(f"bench.{name}")
        sys.argv = [f"bench.{name}"]
        module.main()
