"""The whole path for one build: load -> gate -> dbt build -> publish. Airflow tasks, the ``pcp``
command and the tests all call these functions."""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from warehouse.core import contracts, db, meta_tables, safe_messages
from warehouse.core.config import paths
from warehouse.core.errors import BadDataError, PipelineError
from warehouse.core.faults import fault_point
from warehouse.gate import quality
from warehouse.ingest import landing, load
from warehouse.orchestrate import alerts
from warehouse.orchestrate import held as held_mod
from warehouse.publish import audit, completeness, fingerprint, lineage, publication, versions, withdrawals
from warehouse.transform import dbt_runner, rebuild


@dataclass
class BuildReport:
    loads: list[load.LoadResult] = field(default_factory=list)
    dbt: dbt_runner.DbtSummary | None = None
    audit: audit.AuditResult | None = None
    published: Path | None = None
    version: str | None = None
    unchanged: bool = False
    seconds: float = 0.0
    publish_seconds: float = 0.0  # writing and swapping in the analysts' file, keeping its copy
    held: list[held_mod.Held] = field(default_factory=list)  # rejected loads not yet resolved
    skipped: list[landing.Skipped] = field(default_factory=list)  # landed paths not loaded, and why
    notes: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[load.LoadResult]:
        """Files refused by this build (each also in ``held`` until resolved)."""
        return [r for r in self.loads if r.status == "rejected"]

    def attention(self) -> list[str]:
        """What someone must act on: held rejections and landed paths that were not loaded."""
        out = [f"  held: {h}" for h in self.held]
        out += [f"  not loaded: {s}" for s in self.skipped if not s.waiting]
        return out

    def lines(self) -> list[str]:
        out = [str(r) for r in self.loads if r.status != "held"]
        if self.dbt:
            out.append(str(self.dbt))
        if self.audit:
            out.append(str(self.audit))
            out += [f"  accepted move: {m}" for m in self.audit.moves]
            out += [f"  accepted hold: {h}" for h in self.audit.holds]
        if self.unchanged:
            out.append(f"published warehouse unchanged: nothing new since version {versions.published_version()}")
        elif self.published:
            out.append(f"published version {self.version} to {self.published}")
        out += [f"waiting: {s}" for s in self.skipped if s.waiting and s.why != "manifest"]
        out += [f"note: {n}" for n in self.notes]
        if self.attention():
            out.append("NEEDS ATTENTION (stays listed until resolved; see docs/reliability.md):")
            out += self.attention()
        out.append(f"build took {self.seconds:.1f}s")
        return out


def source_files(
    contract: contracts.Contract, landed_from: dt.date | None = None, landed_to: dt.date | None = None
) -> list[tuple[Path, object]]:
    """Bundled snapshots first (oldest vintage first), then whatever has landed; with a window, only
    files whose landing folder date (vintage) falls in ``[landed_from, landed_to]`` (a backfill)."""
    landed = landing.landed_files(contract.table)
    if landed_from or landed_to:
        lo, hi = landed_from or dt.date.min, landed_to or dt.date.max
        landed = [(f, v) for f, v in landed if v is not None and lo <= v <= hi]
    return contract.bundled_files() + landed


def ensure_working() -> Path:
    """The working file is the pipeline's own storage (raw history, staging, marts, meta); the published
    copy holds no raw rows. If the working file is lost or damaged a new one is started
    (``_restart_from_published``) and the ingest that follows reads the raw history again from its
    source of truth, the bundled and landed files (landing keeps every file; sha256 in meta.loads)."""
    p = ensure_var_writable()
    if p.working.exists():
        _set_aside_if_damaged(p.working)
    if not p.working.exists() and versions.served() is not None:  # served(): checked, repaired if damaged
        _restart_from_published(p.working, p.published)
    db.ensure_storage_version(p.working)  # a working file written by a newer format than clients read
    return p.working


def _restart_from_published(working: Path, published: Path) -> None:
    """A new working file that carries on the published history: the publication records (so versions
    keep their sequence and `pcp status` its history), accepted moves and holds. Loads are not copied:
    their rows are not in the published file, so every file is loaded again (same order, so the same
    load ids when nothing was refused in between) and withdrawals still apply (matched by sha256)."""
    _reload_marker(working).touch()  # first: a crash before the copy below still reloads everything
    with db.writer(working) as con:
        con.execute(meta_tables.PUBLICATIONS)
        con.execute(meta_tables.MOVEMENTS)
        con.execute(meta_tables.HOLDS)
        con.execute(f"attach {db.literal(published)} as pub (read_only)")
        for table in ("publications", "movements", "holds"):
            if con.execute(
                "select count(*) from duckdb_tables() where database_name = 'pub' and schema_name = 'meta' "
                "and table_name = ?",
                [table],
            ).fetchone()[0]:
                con.execute(f"insert into meta.{table} by name select * from pub.meta.{table}")
        con.execute("detach pub")


def _reload_marker(working: Path) -> Path:
    """Present while a restarted working file has not read every bundled and landed file again."""
    return working.with_name(working.name + ".reload")


def ensure_var_writable():
    """Fail early and plainly (PipelineError) if var/ cannot be written; returns paths()."""
    p = paths()
    try:  # fail early and plainly if var/ cannot be written (read-only disk, a file in the way)
        p.working.parent.mkdir(parents=True, exist_ok=True)
        probe = p.working.parent / ".write-probe"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as e:
        raise PipelineError(
            f"the runtime folder {p.var} is not writable ({p.working.parent}: {e.strerror or e}); "
            f"expected a writable var/ (set PCP_VAR_DIR). Nothing was loaded or published"
        ) from None
    return p


def _set_aside_if_damaged(working: Path) -> None:
    """A working file DuckDB cannot open as a database is renamed ``*.damaged-<time>`` (kept for a
    look), so ensure_working starts a new one: publication history from the published copy, raw
    history loaded again from the bundled and landed files."""
    import duckdb

    try:
        duckdb.connect(str(working)).close()
    except duckdb.Error as e:
        if not db.is_damaged(e):
            raise PipelineError(db.describe_open_error(working, e)) from None
        aside = working.with_name(f"{working.name}.damaged-{dt.datetime.now():%Y%m%dT%H%M%S}")
        os.replace(working, aside)
        wal = working.with_name(working.name + ".wal")
        if wal.exists():
            os.replace(wal, aside.with_name(aside.name + ".wal"))
        print(
            f"note: the working database was damaged ({str(e).splitlines()[0]}); set aside as {aside.name} "
            f"and rebuilt from the published history and the landed files (loaded again)"
        )


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


def ingest(
    tables: list[str] | None = None,
    domain: str | None = None,
    landed_from: dt.date | None = None,
    landed_to: dt.date | None = None,
    strict: bool = True,
) -> list[load.LoadResult]:
    """Load every file not yet seen into raw, then gate every pending load.

    A refused file stops only itself: every other file still loads and is gated. Its result has
    status ``rejected`` (refused in this call) or ``held`` (refused before, not resolved; not read
    again), see warehouse/orchestrate/held.py. ``strict``: then raise BadDataError naming every file rejected in
    this call, after all the others were loaded and gated (Airflow's ingest task and the tests)."""
    working = ensure_working()
    reload_all = _reload_marker(working).exists()
    if reload_all:  # a restarted working file: every source's files, whatever this call asked for
        tables, domain, landed_from, landed_to = None, None, None, None
    results = []
    chosen = chosen_contracts(tables, domain)
    with db.writer() as con:
        for c in chosen:
            results += load.load_files(con, c, source_files(c, landed_from, landed_to), keep_going=True)
        fault_point("gate:before")
        try:
            quality.validate_pending(con)
        except BadDataError:
            pass  # each rejected load is on record; collected below with its message
        gated = {r.load_id for r in results if r.status == "loaded"}
        if gated:
            marks = ", ".join("?" for _ in gated)
            refused = dict(
                con.execute(
                    f"select load_id, message from meta.loads where status = 'rejected' and load_id in ({marks})",
                    list(gated),
                ).fetchall()
            )
            results = [
                replace(
                    r,
                    status="rejected",
                    rows=0,
                    message=f"quality gate stopped {r.file} (contract {r.table}):\n{refused[r.load_id]}",
                )
                if r.load_id in refused
                else r
                for r in results
            ]
    if reload_all:
        _reload_marker(working).unlink(missing_ok=True)
    rejected = [r for r in results if r.status == "rejected"]
    if strict and rejected:
        raise BadDataError("\n".join(r.message or str(r) for r in rejected))
    return results


def transform_and_publish(force: bool = False, accept_moves: bool = False) -> BuildReport:
    """dbt build, audit, then publish (write-audit-publish), unless nothing the build depends on
    changed since the last publish. A failed audit raises and leaves the published file as it was."""
    report = BuildReport()
    ensure_working()
    with db.writer() as con:
        quality.validate_pending(con)  # anything loaded but not yet gated (e.g. after a crash)
        safe_messages.scrub_stored(con)  # messages an older version stored with DuckDB's copy of a row
        for c in contracts.all_contracts().values():  # a domain not ingested yet builds as empty
            load.ensure_raw_table(con, c)
        versions.forget_unpublished(con)
        _refuse_without_raw_history(con)
        withdrawals.apply(con)  # rolled-back and withdrawn loads stay out until reinstated
        fp = fingerprint.fingerprint(con)
        if not force and fp == versions.published_fingerprint():
            report.unchanged = True
            return report
        select = None if force else rebuild.selection(con)
        rebuild.started(con)
    report.dbt = dbt_runner.build(select)
    fault_point("dbt:built")
    with db.writer() as con:
        report.audit = audit.run(con, paths().published, accept_moves)
        dbt_summary = {
            "selection": select or "all",
            "passed": report.dbt.passed,
            "failed": report.dbt.failed,
            "warned": report.dbt.warned,
            "results": [{k: r[k] for k in ("node", "status", "failures")} for r in report.dbt.results],
        }
        lineage.record_figure_loads(con)
        report.version = versions.record_publication(con, fp, dbt_summary, report.audit.summary())
        audit.record_moves(con, report.version, report.audit.moves, "pcp build --accept-moves")
        completeness.record(con, report.version, report.audit.holds, "pcp build --accept-moves")
        rebuild.finished(con)
    fault_point("publish:recorded")
    t0 = time.perf_counter()
    report.published = publication.publish_file(paths().working, report.version)
    report.publish_seconds = time.perf_counter() - t0
    return report


def _refuse_without_raw_history(con) -> None:
    """A restarted working file holds no raw history until an ingest reads every file again: building
    marts from it would publish missing figures over the published ones."""
    if _reload_marker(paths().working).exists():
        raise PipelineError(
            "the working database was restarted and its raw history is not loaded again yet; "
            "run `pcp build` (it loads every bundled and landed file first). Nothing was published"
        )


def backfill(start: dt.date, end: dt.date, domain: str | None = None) -> BuildReport:
    """Re-ingest what landed between ``start`` and ``end`` (landing folder dates, inclusive) and rebuild.

    Idempotent: files already loaded are recognised by sha256 and the publish is skipped when the
    fingerprint (accepted loads + code) is unchanged, so running the same period twice changes nothing.
    """
    if end < start:
        raise ValueError(f"backfill: end {end} is before start {start}")
    t0 = time.perf_counter()
    loads = ingest(domain=domain, landed_from=start, landed_to=end, strict=False)
    report = transform_and_publish()
    report.loads = loads
    note_attention(report)
    report.seconds = time.perf_counter() - t0
    return report


def build(force: bool = False, tables: list[str] | None = None, accept_moves: bool = False) -> BuildReport:
    """Ingest (a refused file stops only itself), then transform and publish what was accepted.
    The report lists files refused now, rejections still held and landed paths not loaded; each new
    one is also written to the alerts once (warehouse/orchestrate/alerts.py)."""
    t0 = time.perf_counter()
    loads = ingest(tables, strict=False)
    report = transform_and_publish(force=force, accept_moves=accept_moves)
    report.loads = loads
    note_attention(report)
    report.seconds = time.perf_counter() - t0
    return report


def note_attention(report: BuildReport) -> None:
    """Fill in what needs attention and raise each new item once in the alerts."""
    report.skipped, report.notes = landing.scan(list(contracts.all_contracts()))
    with db.writer() as con:
        report.held = held_mod.outstanding(con)
    for r in report.rejected:
        alerts.record_input_problem(f"{r.table}/{r.file}#load{r.load_id}", r.message or str(r))
    for s in report.skipped:
        if not s.waiting:
            alerts.record_input_problem(str(s.path), str(s))
