"""Parse time of each DAG file on its own, in milliseconds (what the DAG processor pays per file).

`import airflow.sdk` (~1 s) is paid once per processor and is reported separately; each file is then
executed the way the processor does (a fresh module each time). "first" includes this project's own
imports (warehouse.orchestrate.tasks, standard library only); "median" is over the repeats after it.

    .venv/bin/python benchmarks/dag_parse.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from pathlib import Path

DAGS = Path(__file__).resolve().parent.parent / "dags"


def parse_once(path: Path, n: int) -> float:
    spec = importlib.util.spec_from_file_location(f"_bench_{path.stem}_{n}", path)
    module = importlib.util.module_from_spec(spec)
    t0 = time.perf_counter()
    spec.loader.exec_module(module)
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    t0 = time.perf_counter()
    import airflow.sdk  # noqa: F401  - the shared, one-off cost

    print(f"import airflow.sdk: {(time.perf_counter() - t0) * 1000:.0f} ms (once per DAG processor)")
    heavy = {"great_expectations", "dbt", "pandas", "duckdb"}
    print(f"{'DAG file':<24}{'first ms':>10}{'median ms':>11}{'max ms':>9}")
    for path in sorted(DAGS.glob("*.py")):
        first = parse_once(path, 0)
        rest = [parse_once(path, i) for i in range(1, args.repeat + 1)]
        print(f"{path.name:<24}{first:>10.1f}{statistics.median(rest):>11.1f}{max(rest):>9.1f}")
    loaded = sorted(heavy & {m.split(".")[0] for m in sys.modules})
    print(f"heavy modules imported by parsing: {', '.join(loaded) or 'none'}")


if __name__ == "__main__":
    main()
