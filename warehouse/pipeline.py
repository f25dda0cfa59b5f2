"""The whole path for one build: load -> gate -> dbt build -> publish. Airflow tasks, the ``pcp``
command and the tests all call these functions."""

from __future__ import annotations

import datetime as dt
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from warehouse import audit, completeness, contracts, db, landing, load, publish, quality, rebuild, transform
from warehouse.config import paths
from warehouse.errors import PipelineError
from warehouse.reliability import fault_point


@dataclass
class BuildReport:
    loads: list[load.LoadResult] = field(default_factory=list)
    dbt: transform.DbtSummary | None = None
    audit: audit.AuditResult | None = None
    published: Path | None = None
    version: str | None = None
    unchanged: bool = False
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [str(r) for r in self.loads]
        if self.dbt:
            out.append(str(self.dbt))
        if self.audit:
            out.append(str(self.audit))
            out += [f"  accepted move: {m}" for m in self.audit.moves]
            out += [f"  accepted hold: {h}" for h in self.audit.holds]
        if self.unchanged:
            out.append(f"published warehouse unchanged: nothing new since version {publish.published_version()}")
        elif self.published:
            out.append(f"published version {self.version} to {self.published}")
        out.append(f"build took {self.seconds:.1f}s")
        return out


def source_files(contract: contracts.Contract, landed_from: dt.date | None = None,
                 landed_to: dt.date | None = None) -> list[tuple[Path, object]]:
    """Bundled snapshots first (oldest vintage first), then whatever has landed; with a window, only
    files whose landing folder date (vintage) falls in ``[landed_from, landed_to]`` (a backfill)."""
    landed = landing.landed_files(contract.table)
    if landed_from or landed_to:
        lo, hi = landed_from or dt.date.min, landed_to or dt.date.max
        landed = [(f, v) for f, v in landed if v is not None and lo <= v <= hi]
    return contract.bundled_files() + landed


def ensure_working() -> Path:
    """The working file carries raw history between builds; rebuild it from the published copy if lost."""
    p = paths()
    try:  # fail early and plainly if var/ cannot be written (read-only disk, a file in the way)
        p.working.parent.mkdir(parents=True, exist_ok=True)
        probe = p.working.parent / ".write-probe"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as e:
        raise PipelineError(f"the runtime folder {p.var} is not writable ({p.working.parent}: {e.strerror or e}); "
                            f"expected a writable var/ (set PCP_VAR_DIR). Nothing was loaded or published") from None
    if not p.working.exists() and p.published.exists():
        p.working.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p.published, p.working)
    return p.working


def chosen_contracts(tables: list[str] | None = None, domain: str | None = None) -> list[contracts.Contract]:
    if tables:
        return [contracts.get(t) for t in tables]
    every = list(contracts.all_contracts().values())
    if domain:
        picked = [c for c in every if c.domain == domain]
        if not picked:
            raise KeyError(f"no source contract has domain {domain!r}")
        return picked
    return every


def ingest(tables: list[str] | None = None, domain: str | None = None, landed_from: dt.date | None = None,
           landed_to: dt.date | None = None) -> list[load.LoadResult]:
    """Load every file not yet seen into raw, then gate every pending load. Raises on bad data."""
    ensure_working()
    results = []
    chosen = chosen_contracts(tables, domain)
    with db.writer() as con:
        for c in chosen:
            results += load.load_files(con, c, source_files(c, landed_from, landed_to))
        fault_point("gate:before")
        quality.validate_pending(con)
    return results


def transform_and_publish(force: bool = False, accept_moves: bool = False) -> BuildReport:
    """dbt build, audit, then publish (write-audit-publish), unless nothing the build depends on
    changed since the last publish. A failed audit raises and leaves the published file as it was."""
    report = BuildReport()
    ensure_working()
    with db.writer() as con:
        quality.validate_pending(con)  # anything loaded but not yet gated (e.g. after a crash)
        for c in contracts.all_contracts().values():  # a domain not ingested yet builds as empty
            load.ensure_raw_table(con, c)
        publish.forget_unpublished(con)
        fp = publish.fingerprint(con)
        if not force and fp == publish.published_fingerprint():
            report.unchanged = True
            return report
        select = None if force else rebuild.selection(con)
        rebuild.started(con)
    report.dbt = transform.build(select)
    fault_point("dbt:built")
    with db.writer() as con:
        report.audit = audit.run(con, paths().published, accept_moves)
        dbt_summary = {"selection": select or "all", "passed": report.dbt.passed, "failed": report.dbt.failed,
                       "warned": report.dbt.warned,
                       "results": [{k: r[k] for k in ("node", "status", "failures")} for r in report.dbt.results]}
        report.version = publish.record_publication(con, fp, dbt_summary, report.audit.summary())
        audit.record_moves(con, report.version, report.audit.moves, "pcp build --accept-moves")
        completeness.record(con, report.version, report.audit.holds, "pcp build --accept-moves")
        rebuild.finished(con)
    fault_point("publish:recorded")
    report.published = publish.publish_file(paths().working, report.version)
    return report


def backfill(start: dt.date, end: dt.date, domain: str | None = None) -> BuildReport:
    """Re-ingest what landed between ``start`` and ``end`` (landing folder dates, inclusive) and rebuild.

    Idempotent: files already loaded are recognised by sha256 and the publish is skipped when the
    fingerprint (accepted loads + code) is unchanged, so running the same period twice changes nothing.
    """
    if end < start:
        raise ValueError(f"backfill: end {end} is before start {start}")
    t0 = time.perf_counter()
    loads = ingest(domain=domain, landed_from=start, landed_to=end)
    report = transform_and_publish()
    report.loads = loads
    report.seconds = time.perf_counter() - t0
    return report


def build(force: bool = False, tables: list[str] | None = None, accept_moves: bool = False) -> BuildReport:
    t0 = time.perf_counter()
    loads = ingest(tables)
    report = transform_and_publish(force=force, accept_moves=accept_moves)
    report.loads = loads
    report.seconds = time.perf_counter() - t0
    return report
