"""dbt, run in-process with dbtRunner against the working database only."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from warehouse.core import db, private_files, safe_messages
from warehouse.core.config import paths
from warehouse.core.errors import PipelineError
from warehouse.core.faults import fault_point

os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")


class DbtError(PipelineError):
    """A dbt model or test failed; the published warehouse is untouched."""


@dataclass(frozen=True)
class DbtSummary:
    command: str
    passed: int
    failed: int
    warned: int
    skipped: int
    seconds: float
    results: list[dict]

    def __str__(self) -> str:
        return (
            f"dbt {self.command}: {self.passed} ok, {self.warned} warn, {self.failed} failed, "
            f"{self.skipped} skipped in {self.seconds:.1f}s"
        )


def run_dbt(args: list[str], database: Path | None = None) -> DbtSummary:
    """Run one dbt command against ``database`` (the working file by default)."""
    from dbt.cli.main import dbtRunner

    p = paths()
    database = Path(database or p.working)
    os.environ["PCP_DUCKDB_PATH"] = str(database)
    limits = db.limits()  # profiles.yml reads these: the same memory limit and spill folder as db.writer()
    os.environ["PCP_DUCKDB_MEMORY_LIMIT"] = limits["memory_limit"]
    os.environ["PCP_DUCKDB_TEMP_DIR"] = limits["temp_directory"]
    os.environ["PCP_DUCKDB_STORAGE_VERSION"] = limits["storage_compatibility_version"]
    full = [
        *args,
        "--project-dir",
        str(p.dbt_project),
        "--profiles-dir",
        str(p.dbt_project),
        "--target-path",
        str(p.dbt_target),
        "--log-path",
        str(p.dbt_logs),
        "--quiet",
    ]
    private_files.private_dir(p.dbt_logs)
    try:
        res = dbtRunner(callbacks=[_fault_hook]).invoke(full)
    finally:
        _release_duckdb()
        private_files.tighten(p.dbt_logs)  # dbt.log repeats DuckDB's errors: owner only
    rows, failed, passed, warned, skipped, secs = [], 0, 0, 0, 0, 0.0
    if res.result is not None and hasattr(res.result, "results"):
        for r in res.result.results:
            status = str(r.status).lower()
            rows.append(
                {
                    "node": r.node.unique_id,
                    "status": status,
                    "message": r.message,
                    "failures": getattr(r, "failures", None),
                    "seconds": r.execution_time,
                }
            )
            secs += r.execution_time or 0
            if status in ("error", "fail", "runtime error"):
                failed += 1
            elif status == "warn":
                warned += 1
            elif status == "skipped":
                skipped += 1
            else:
                passed += 1
    summary = DbtSummary(args[0], passed, failed, warned, skipped, secs, rows)
    if not res.success:
        bad = [
            f"  {r['node']}: {r['status']}: {r['message']}"
            for r in rows
            if r["status"] in ("error", "fail", "runtime error")
        ]
        detail = "\n".join(bad) if bad else f"  {res.exception}"
        raise DbtError(f"dbt {' '.join(args)} failed:\n{safe_messages.scrub(detail)}")
    return summary


def _fault_hook(event) -> None:
    """Crash tests: die while dbt is building (after its first model), if PCP_FAULT_POINT asks."""
    if event.info.name == "LogModelResult":
        fault_point("dbt:model")


def _release_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open for the life of the process; close it so the
    working file is checkpointed and unlocked before anyone copies or opens it."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def build(select: list[str] | None = None) -> DbtSummary:
    """``dbt build`` of ``select`` (dbt selectors, warehouse/transform/rebuild.py), or of the whole project.

    The whole project is built after a code change, an unfinished build or on request (``--force``):
    then the incremental models' stored rows may be stale (counted by older code), so they are
    rebuilt from scratch too (``--full-refresh``; the append-only milestone history opts out with
    full_refresh=false). A narrow build leaves them incremental: only changed periods are recounted."""
    return run_dbt(["build", *(["--select", *select] if select else ["--full-refresh"])])


def docs_static(out: Path) -> Path:
    """Write dbt's docs as one self-contained HTML file (works offline)."""
    run_dbt(["docs", "generate", "--static"])
    src = paths().dbt_target / "static_index.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(src.read_bytes())
    os.replace(tmp, out)
    return out
