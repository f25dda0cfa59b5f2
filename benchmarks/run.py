"""`make bench`: the national-scale benchmark (docs/benchmark.md).

For each size in the series (env ``BENCH_SIZES``, e.g. ``1M,3M,10M``; call rows over all 43 forces
and ``BENCH_MONTHS`` months) it generates the SAMPLE call log with the domain generator
(``warehouse.samples``) into a temporary folder, then runs on those same files, each in its own
child process so that wall time and peak memory belong to one path only:

  warehouse  land, load, gate, dbt build, publish, in a temporary PCP_VAR_DIR. The bundled public
             sources are built and published first, untimed, so the timed run is what the national
             call log costs a running warehouse: `dbt build` runs the models the call log feeds
             (warehouse/transform/rebuild.py), exactly as `pcp build` would;
  pandas     the analyst's pandas version (only up to ``BENCH_PANDAS_MAX``; beyond, extrapolated
             linearly from the largest size measured, and marked so);
  floor      one hand-written DuckDB query over the files;
  increment  one more month landed into the built warehouse, then the same path again.

It checks the three give the same figures (benchmarks/headline.py), prints a table, writes
benchmarks/results.json and results.md, and draws benchmarks/scaling.png.
Usage: python -m benchmarks.run [--sizes 1M,3M] [--months 24] [--first 2022-03-01] [--out benchmarks] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
CALLS_TABLE = "force_feeds__calls"
START = dt.date(2021, 4, 1)
SEED = 20240401
# Call rows per month for all 43 forces at scale 1 (warehouse.samples.calls at April 2021 volume);
# only used to choose the scale, the real row count is counted from the files.
NATIONAL_ROWS_PER_MONTH = 2_593_126
GATE: dict = {}  # the gate micro-benchmark runs once per series, at the first size of 1M rows or more


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * mult)


def machine() -> dict:
    mem = next(
        (
            int(line.split()[1]) * 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        None,
    )
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    import duckdb
    import pandas

    return {
        "cpus": os.cpu_count(),
        "nproc": int(subprocess.run(["nproc"], capture_output=True, text=True).stdout),
        "cpu_model": cpu,
        "memory_gib": round(mem / 2**30, 1) if mem else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "load_average_at_start": os.getloadavg(),
    }


# ---------------------------------------------------------------------------------------------------
# generation


def generate(scale: float, first: dt.date, months: int, out: Path) -> dict:
    """Write the call log for all 43 forces, one CSV per force per month, ``months`` months from ``first``."""
    from warehouse import samples

    manifest = out / "manifest.json"
    key = {"scale": scale, "months": months, "first": first.isoformat(), "seed": SEED, "clock": "Europe/London"}
    if manifest.exists():  # --keep: the same series again reuses its files (the generator is deterministic)
        done = json.loads(manifest.read_text())
        if {k: done.get(k) for k in key} == key and len(list(out.glob("*.csv"))) == done["files"]:
            return {**done, "seconds": 0.0, "reused": True}
    names = [f.area_name for f in samples.forces().values()]
    t0 = time.perf_counter()
    files = list(
        samples.write_feed("calls", names, first, _add_months(first, months) - dt.timedelta(days=1), SEED, out, scale)
    )
    gen = {
        **key,
        "files": len(files),
        "rows": count_rows(files),
        "bytes": sum(f.stat().st_size for f in files),
        "seconds": time.perf_counter() - t0,
    }
    manifest.write_text(json.dumps(gen))
    return gen


def _add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    return dt.date(d.year + y, m + 1, 1)


def count_rows(files: list[Path]) -> int:
    n = 0
    for f in files:
        with open(f, "rb") as fh:
            n += sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 22), b"")) - 1
    return n


# ---------------------------------------------------------------------------------------------------
# one path, in a child process


def warm(data: Path) -> None:
    """Read every input file once, untimed, so each path starts with them in the page cache: files
    kept from an earlier run (--keep) are otherwise cold for whichever path runs first (the floor)."""
    for f in sorted(data.glob("*.csv")):
        with open(f, "rb") as fh:
            while fh.read(1 << 24):
                pass


def run_child(mode: str, data: Path, work: Path, timeout: int = 6 * 3600) -> dict:
    """Run ``python -m benchmarks.run --child MODE`` and measure it: wall time, and peak RSS from
    wait4 (the child's own high-water mark; DuckDB and dbt use threads, not processes)."""
    out = work / f"{mode}.json"
    env = {**os.environ, "PCP_VAR_DIR": str(work / "var"), "PYTHONWARNINGS": "ignore"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.run", "--child", mode, str(data), str(work)],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        log, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    wall = time.perf_counter() - t0
    # Popen has reaped the child; its rusage is in RUSAGE_CHILDREN only as a running maximum, so the
    # child reports its own ru_maxrss (self + any grandchildren) in its JSON instead.
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark path {mode} failed (exit {proc.returncode}):\n{log[-4000:]}")
    result = json.loads(out.read_text())
    result["wall_seconds"] = wall
    return result


def child(mode: str, data: Path, work: Path) -> None:
    import resource

    t0 = time.perf_counter()
    result: dict = {"mode": mode}
    files = sorted(data.glob("*.csv"))
    if mode == "setup":  # build and publish the bundled public sources: the timed runs add the call log
        from warehouse.orchestrate import pipeline

        report = pipeline.build()
        result["dbt_build_seconds"] = report.dbt.seconds if report.dbt else 0.0
        result["dbt_nodes"] = len(report.dbt.results) if report.dbt else 0
    elif mode in ("warehouse", "increment"):
        result["stages"] = warehouse_path(files)
    elif mode == "pandas":
        from benchmarks.headline import pandas_figures

        pandas_figures(files).to_parquet(work / "pandas.parquet")
    elif mode == "floor":
        from benchmarks.headline import floor_figures

        floor_figures(data).to_parquet(work / "floor.parquet")
    else:
        raise SystemExit(f"unknown mode {mode}")
    result["seconds"] = time.perf_counter() - t0
    if mode == "warehouse":  # read back after the clock stops
        from benchmarks.headline import warehouse_figures
        from warehouse.core.config import paths

        warehouse_figures(paths().published).to_parquet(work / "warehouse.parquet")
    ru_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ru_kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result["peak_rss_bytes"] = max(ru_self, ru_kids) * 1024
    (work / f"{mode}.json").write_text(json.dumps(result))


def warehouse_path(files: list[Path]) -> dict:
    """The production path, stage by stage, exactly as `pcp build` runs it (calls contract only)."""
    from warehouse import samples
    from warehouse.core import contracts, db
    from warehouse.gate import quality
    from warehouse.ingest import landing, load
    from warehouse.orchestrate import pipeline

    stages = {}
    t = time.perf_counter()
    for f in files:  # a force's monthly drop lands a week after month end
        month = dt.date.fromisoformat(f.stem.rsplit("_", 1)[1] + "-01")
        landing.land_file(f, CALLS_TABLE, samples.arrival_date(month))
    stages["land"] = time.perf_counter() - t
    # pipeline.ingest(tables=[CALLS_TABLE]), written out so that load and gate are timed apart
    t = time.perf_counter()
    pipeline.ensure_working()
    contract = contracts.get(CALLS_TABLE)
    with db.writer() as con:
        loads = load.load_files(con, contract, pipeline.source_files(contract))
        stages["load"] = time.perf_counter() - t
        t = time.perf_counter()
        quality.validate_pending(con)
        stages["gate"] = time.perf_counter() - t
    stages["load_and_gate"] = stages["load"] + stages["gate"]
    t = time.perf_counter()
    report = pipeline.transform_and_publish()
    stages["dbt_build"] = report.dbt.seconds if report.dbt else 0.0
    stages["dbt_nodes"] = len(report.dbt.results) if report.dbt else 0
    stages["dbt_and_publish"] = time.perf_counter() - t
    stages["publish"] = report.publish_seconds  # the analysts' file written and swapped in, and kept
    stages["loads"] = sum(1 for r in loads if r.status == "loaded")
    return stages


# ---------------------------------------------------------------------------------------------------
# the series


def bench_size(
    rows: int,
    months: int,
    root: Path,
    pandas_max: int,
    increment: bool = True,
    setup: Path | None = None,
    first: dt.date = START,
) -> dict:
    import pandas as pd

    from benchmarks import headline

    root.mkdir(parents=True, exist_ok=True)
    data, extra, work = root / "calls", root / "next_month", root / "work"
    gen = generate(rows / (NATIONAL_ROWS_PER_MONTH * months), first, months, data)
    print(
        f"\n== {gen['rows']:,} call rows ({gen['files']} files, {gen['bytes'] / 2**20:,.0f} MiB, "
        f"{months} months, scale {gen['scale']:.4f}); generated in {gen['seconds']:.1f}s",
        flush=True,
    )
    res: dict = {"target_rows": rows, "rows": gen["rows"], "generate": gen, "paths": {}}
    shutil.rmtree(work, ignore_errors=True)  # a kept folder from an earlier run: start from the setup again
    work.mkdir()
    if setup:  # the bundled sources, loaded once for the whole series
        shutil.copytree(setup / "var", work / "var")
    else:
        res["setup"] = run_child("setup", data, work)
    for mode in ("floor", "warehouse") + (("pandas",) if gen["rows"] <= pandas_max else ()):
        warm(data)
        r = run_child(mode, data, work)
        r["rows_per_second"] = gen["rows"] / r["seconds"]
        res["paths"][mode] = r
        print(
            f"   {mode:<10} {r['seconds']:8.1f}s  {r['peak_rss_bytes'] / 2**30:5.2f} GiB peak  "
            f"{r['rows_per_second']:>12,.0f} rows/s",
            flush=True,
        )
        if mode == "warehouse":
            st = r["stages"]
            print(
                "              "
                + ", ".join(f"{k} {st[k]:.2f}s" for k in ("land", "load", "gate", "dbt_build", "publish")),
                flush=True,
            )
    figures = {m: pd.read_parquet(work / f"{m}.parquet") for m in res["paths"]}
    problems = headline.compare(figures["floor"], figures["warehouse"], "warehouse vs floor")
    if "pandas" in figures:
        problems += headline.compare(figures["floor"], figures["pandas"], "pandas vs floor")
    res["figures_compared"] = len(figures["floor"])
    res["agree"] = not problems
    res["problems"] = problems
    print(
        f"   figures: {len(figures['floor']):,} per path; "
        + ("all paths agree" if not problems else "DISAGREE:\n     " + "\n     ".join(problems)),
        flush=True,
    )
    if gen["rows"] >= 1_000_000 and not GATE:
        # the gate on one 1M-row batch, GE on pandas vs the same suite in DuckDB (benchmarks/gate.py)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.gate",
                str(work / "var" / "build" / "working.duckdb"),
                "--json",
                str(work / "gate.json"),
            ],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        if proc.returncode == 0:
            res["gate"] = GATE[rows] = json.loads((work / "gate.json").read_text())
            print("   " + proc.stdout.strip(), flush=True)
    if increment:
        nxt = generate(gen["scale"], _add_months(first, months), 1, extra)  # the month after
        warm(extra)
        r = run_child("increment", extra, work)
        r["rows"] = nxt["rows"]
        r["share_of_full"] = r["seconds"] / res["paths"]["warehouse"]["seconds"]
        res["increment"] = r
        print(
            f"   increment  {r['seconds']:8.1f}s  one more month ({r['rows']:,} rows) = "
            f"{100 * r['share_of_full']:.1f}% of the full build; publish {r['stages']['publish']:.2f}s",
            flush=True,
        )
    return res


# The targets of issue 18 (docs/benchmark.md): judged per size, in one run on the same files.
MAX_OVER_FLOOR = 4.0
MAX_INCREMENT_SHARE = 0.10
MAX_PUBLISH_SECONDS = 1.0
MAX_PEAK_BYTES = 4 * 2**30


def targets(res: dict) -> list[tuple[str, bool | None, str]]:
    """(target, met (None: not measured), the figure) for one size; after ``ratios``."""
    wh = res["paths"]["warehouse"]
    inc = res.get("increment")
    out = [
        (
            "warehouse faster than pandas",
            res["pandas_over_warehouse"] > 1 if "pandas_over_warehouse" in res else None,
            f"pandas/warehouse {res.get('pandas_over_warehouse', float('nan')):.2f}x"
            + (" (pandas extrapolated)" if res.get("pandas_extrapolated") else ""),
        ),
        (
            f"warehouse within {MAX_OVER_FLOOR:g}x the DuckDB floor",
            res["warehouse_over_floor"] <= MAX_OVER_FLOOR,
            f"{res['warehouse_over_floor']:.2f}x",
        ),
        (
            f"+1 month at most {MAX_INCREMENT_SHARE:.0%} of a full build",
            inc["share_of_full"] <= MAX_INCREMENT_SHARE if inc else None,
            f"{100 * inc['share_of_full']:.1f}%" if inc else "not run",
        ),
    ]
    publishes = [wh["stages"]["publish"]] + ([inc["stages"]["publish"]] if inc else [])
    out.append(
        (
            f"publish under {MAX_PUBLISH_SECONDS:g}s",
            max(publishes) < MAX_PUBLISH_SECONDS,
            " / ".join(f"{x:.2f}s" for x in publishes),
        )
    )
    peaks = [wh["peak_rss_bytes"]] + ([inc["peak_rss_bytes"]] if inc else [])
    out.append(
        (
            f"peak memory under {MAX_PEAK_BYTES / 2**30:g} GiB",
            max(peaks) < MAX_PEAK_BYTES,
            f"{max(peaks) / 2**30:.2f} GiB",
        )
    )
    return out


def targets_lines(results: list[dict]) -> list[str]:
    out = ["| call rows | target | met | measured |", "|---:|---|---|---|"]
    for r in results:
        for name, met, figure in r.get("targets", []):
            out.append(f"| {r['rows']:,} | {name} | {'-' if met is None else 'met' if met else 'NOT met'} | {figure} |")
    return out


def ratios(res: dict, pandas_rate: float | None) -> None:
    """warehouse/floor and pandas/warehouse time ratios; pandas beyond the cap is extrapolated."""
    p = res["paths"]
    res["warehouse_over_floor"] = p["warehouse"]["seconds"] / p["floor"]["seconds"]
    if "pandas" in p:
        res["pandas_seconds"], res["pandas_extrapolated"] = p["pandas"]["seconds"], False
    elif pandas_rate:
        res["pandas_seconds"], res["pandas_extrapolated"] = res["rows"] / pandas_rate, True
    if "pandas_seconds" in res:
        res["pandas_over_warehouse"] = res["pandas_seconds"] / p["warehouse"]["seconds"]


def table(results: list[dict]) -> list[str]:
    head = (
        "| call rows | path | seconds | peak RSS (GiB) | rows/s | warehouse/floor | pandas/warehouse "
        "| +1 month / full | figures agree |"
    )
    out = [head, "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        for mode in ("floor", "warehouse", "pandas"):
            p = r["paths"].get(mode)
            if p is None and mode == "pandas" and "pandas_seconds" in r:
                out.append(
                    f"| {r['rows']:,} | pandas (extrapolated) | {r['pandas_seconds']:.1f} | - | "
                    f"{r['rows'] / r['pandas_seconds']:,.0f} | | {r['pandas_over_warehouse']:.2f}x | | |"
                )
                continue
            if p is None:
                continue
            extra = {
                "warehouse": (
                    f"{r['warehouse_over_floor']:.2f}x",
                    f"{r['pandas_over_warehouse']:.2f}x" if "pandas_over_warehouse" in r else "",
                    f"{100 * r['increment']['share_of_full']:.1f}%" if "increment" in r else "",
                    "yes" if r["agree"] else "NO",
                )
            }.get(mode, ("", "", "", ""))
            out.append(
                f"| {r['rows']:,} | {mode} | {p['seconds']:.1f} | {p['peak_rss_bytes'] / 2**30:.2f} | "
                f"{p['rows_per_second']:,.0f} | " + " | ".join(extra) + " |"
            )
    return out


def stages_table(results: list[dict]) -> list[str]:
    out = [
        "| call rows | files | land | load | gate | dbt build | dbt + publish | publish | +1 month: load | "
        "+1 month: gate | +1 month: dbt + publish | +1 month: publish |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s = r["paths"]["warehouse"]["stages"]
        i = r.get("increment", {}).get("stages", {})
        out.append(
            f"| {r['rows']:,} | {r['generate']['files']} | {s['land']:.1f} | {s['load']:.1f} | "
            f"{s['gate']:.1f} | {s['dbt_build']:.1f} ({s.get('dbt_nodes', '?')} nodes) | {s['dbt_and_publish']:.1f} | "
            f"{_secs(s.get('publish'))} | {i.get('load', 0):.1f} | {i.get('gate', 0):.1f} | "
            f"{i.get('dbt_and_publish', 0):.1f} | {_secs(i.get('publish'))} |"
        )
    return out


def _secs(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def plot(results: list[dict], png: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r["rows"] / 1e6 for r in results]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    ax.plot(rows, [r["paths"]["floor"]["seconds"] for r in results], "o-", label="DuckDB floor (one query)")
    ax.plot(rows, [r["paths"]["warehouse"]["seconds"] for r in results], "s-", label="warehouse full path")
    meas = [(r["rows"] / 1e6, r["pandas_seconds"]) for r in results if r.get("pandas_extrapolated") is False]
    extr = [(r["rows"] / 1e6, r["pandas_seconds"]) for r in results if r.get("pandas_extrapolated")]
    if meas:
        ax.plot(*zip(*meas), "^-", label="pandas (measured)")
    if extr:
        ax.plot(*zip(*(meas[-1:] + extr)), "^:", color="C2", label="pandas (extrapolated)")
    if any("increment" in r for r in results):
        ax.plot(rows, [r["increment"]["seconds"] for r in results], "d--", label="warehouse: +1 month")
    ax.set_xlabel("call rows (millions), 43 forces")
    ax.set_ylabel("wall seconds")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title("PCP warehouse: national call-log benchmark (SAMPLE data)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(png)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "1M,3M,10M,30M"))
    ap.add_argument("--months", type=int, default=int(os.environ.get("BENCH_MONTHS", "12")))
    ap.add_argument(
        "--first",
        type=dt.date.fromisoformat,
        default=dt.date.fromisoformat(os.environ.get("BENCH_FIRST", START.isoformat())),
        help="first month (YYYY-MM-01; default 2021-04-01: 12 months hold both clock changes)",
    )
    ap.add_argument("--pandas-max", default=os.environ.get("BENCH_PANDAS_MAX", "40M"))
    ap.add_argument("--out", type=Path, default=Path(os.environ.get("BENCH_OUT", HERE)))
    ap.add_argument("--no-increment", action="store_true")
    ap.add_argument("--no-dag-parse", action="store_true")
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    ap.add_argument("--child", nargs=3, metavar=("MODE", "DATA", "WORK"), help=argparse.SUPPRESS)
    ap.add_argument("--render", action="store_true", help="only rewrite results.md and scaling.png from results.json")
    a = ap.parse_args(argv)
    if a.render:
        doc = json.loads((a.out / "results.json").read_text())
        a.months, a.pandas_max = doc["months"], str(doc["pandas_max_rows"])
        write_results(doc["results"], doc["machine"], a, run_at=doc["run_at"])
        return 0
    if a.child:
        child(a.child[0], Path(a.child[1]), Path(a.child[2]))
        return 0
    sizes = [parse_size(s) for s in a.sizes.split(",") if s.strip()]
    facts = machine()
    print(
        f"machine: {facts['nproc']} CPUs ({facts['cpu_model']}), {facts['memory_gib']} GiB; "
        f"sizes {', '.join(f'{s:,}' for s in sizes)} call rows over {a.months} months",
        flush=True,
    )
    root = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="pcp-bench-"))
    results, pandas_rate = [], None
    try:
        setup = root / "setup"
        shutil.rmtree(setup, ignore_errors=True)
        setup.mkdir(parents=True)
        facts["setup"] = run_child("setup", setup, setup)
        print(
            f"setup (bundled public sources built and published once): {facts['setup']['seconds']:.1f}s, "
            f"of which dbt build of all {facts['setup']['dbt_nodes']} nodes "
            f"{facts['setup']['dbt_build_seconds']:.1f}s",
            flush=True,
        )
        for size in sizes:
            res = bench_size(
                size, a.months, root / f"{size}", parse_size(a.pandas_max), not a.no_increment, setup, a.first
            )
            if "pandas" in res["paths"]:
                pandas_rate = res["rows"] / res["paths"]["pandas"]["seconds"]
            ratios(res, pandas_rate)
            res["targets"] = targets(res)
            for name, met, figure in res["targets"]:
                print(
                    f"   target: {name}: {'-' if met is None else 'met' if met else 'NOT met'} ({figure})", flush=True
                )
            results.append(res)
            if not a.keep:
                shutil.rmtree(root / f"{size}", ignore_errors=True)
    finally:
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)
    if not a.no_dag_parse:  # benchmarks/dag_parse.py (the Airflow engineer's): ms per DAG file
        proc = subprocess.run(
            [sys.executable, str(HERE / "dag_parse.py"), "--repeat", "10"],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        facts["dag_parse"] = proc.stdout.strip() if proc.returncode == 0 else f"failed: {proc.stderr[-500:]}"
    write_results(results, facts, a)
    return 0 if all(r["agree"] for r in results) else 1


def write_results(results: list[dict], facts: dict, a, run_at: str | None = None) -> None:
    a.out.mkdir(parents=True, exist_ok=True)
    doc = {
        "run_at": run_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": facts,
        "months": a.months,
        "pandas_max_rows": parse_size(a.pandas_max),
        "results": results,
    }
    (a.out / "results.json").write_text(json.dumps(doc, indent=2, default=str) + "\n")
    lines = [
        f"# Benchmark results ({doc['run_at']})",
        "",
        f"Machine: {facts['nproc']} CPUs ({facts['cpu_model']}), {facts['memory_gib']} GiB RAM, "
        f"{facts['os']}; Python {facts['python']}, DuckDB {facts['duckdb']}, pandas {facts['pandas']}; "
        f"load average at start {', '.join(f'{x:.1f}' for x in facts['load_average_at_start'])} "
        f"(shared machine: trust ratios more than seconds).",
        "",
        f"SAMPLE call log, all 43 forces, {a.months} months; pandas measured up to "
        f"{parse_size(a.pandas_max):,} rows, extrapolated linearly beyond. Written by `make bench`.",
        "",
        *table(results),
        "",
        "Warehouse stages (seconds):",
        "",
        *stages_table(results),
        "",
        "Targets (docs/benchmark.md):",
        "",
        *targets_lines(results),
        "",
    ]
    if facts.get("setup", {}).get("dbt_nodes"):
        lines += [
            f"Before the series, the bundled public sources were built and published once (untimed): "
            f"`dbt build` of the whole project, {facts['setup']['dbt_nodes']} nodes, took "
            f"{facts['setup']['dbt_build_seconds']:.1f}s of node time.",
            "",
        ]
    for r in results:
        if r.get("gate"):
            g = r["gate"]
            lines += [
                f"Quality gate on one batch of {g['rows']:,} call rows ({g['expectations']} expectations, "
                f"benchmarks/gate.py): DuckDB {g['duckdb_seconds']:.2f}s; GE on pandas {g['ge_seconds']:.1f}s "
                f"(of which {g['ge_dataframe_fetch_seconds']:.1f}s building the DataFrame).",
                "",
            ]
    if facts.get("dag_parse"):
        lines += ["DAG file parse times (benchmarks/dag_parse.py):", "", "```", facts["dag_parse"], "```", ""]
    for r in results:
        for p in r["problems"]:
            lines.append(f"- DISAGREEMENT at {r['rows']:,} rows: {p}")
    (a.out / "results.md").write_text("\n".join(lines) + "\n")
    plot(results, a.out / "scaling.png")
    print(
        "\n"
        + "\n".join(table(results))
        + "\n\n"
        + "\n".join(stages_table(results))
        + "\n\n"
        + "\n".join(targets_lines(results))
    )
    print(f"\nwrote {a.out / 'results.md'}, results.json and scaling.png")


if __name__ == "__main__":
    sys.exit(main())
