"""What the Airflow DAGs run. The DAG files in ``dags/`` only wire these functions up.

Light to import on purpose (the DAG processor imports it on every parse): only the standard library
here; the contracts (yaml, pydantic), pipeline, dbt, Great Expectations and Airflow itself are
imported inside the functions.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

log = logging.getLogger(__name__)

OWNER = "pcp-data"
POOL = "duckdb_writer"  # 1 slot: DuckDB allows one writer process at a time on the working file
POOL_DESCRIPTION = "One slot: every task that writes DuckDB (var/build/working.duckdb) runs alone"
# Under the CeleryExecutor only the worker holding var/ listens on this queue (docs/airflow.md); the
# LocalExecutor ignores queues. Every writer task gets both: ``@task(**WRITER)``.
WRITER_QUEUE = "duckdb_writer"
WRITER = {"pool": POOL, "queue": WRITER_QUEUE}
START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)  # static: DAG files never compute dates at parse time
BACKSTOP_CRON = "0 5 * * *"  # the transform also runs daily even if no asset event came in


def domains() -> dict:
    """One ingest DAG per source domain, at its schedule: ``{domain: contracts.Domain}``, read from the
    source contracts (``domain``, ``ingest_schedule``), so a new source needs no edit here. Reads the
    sources YAML (small files, at DAG parse time); imports only yaml and pydantic."""
    from warehouse.core import contracts

    return contracts.domains()


def asset_name(domain: str) -> str:
    return f"raw_{domain}"


def asset_uri(domain: str) -> str:
    return f"pcp://warehouse/raw/{domain}"


def default_args(**extra: Any) -> dict[str, Any]:
    """Retries with exponential backoff for what a retry can fix (a DuckDB lock held by someone's
    `pcp build`, a full disk cleared, a flaky mount). Bad data never reaches a retry: the task bodies
    turn ``BadDataError`` into ``AirflowFailException``."""
    return {
        "owner": OWNER,
        "retries": 2,
        "retry_delay": dt.timedelta(seconds=30),
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": dt.timedelta(minutes=10),
        "on_failure_callback": on_failure,
        **extra,
    }


def on_failure(context: dict) -> None:
    """Airflow failure callback: record task, run and error summary (see ``warehouse.orchestrate.alerts``)."""
    from warehouse.orchestrate import alerts

    ti = context.get("ti") or context.get("task_instance")
    alerts.record_failure(
        dag_id=getattr(ti, "dag_id", None) or str(context.get("dag")),
        task_id=getattr(ti, "task_id", "?"),
        run_id=getattr(ti, "run_id", None) or str(context.get("run_id")),
        try_number=getattr(ti, "try_number", None),
        error=context.get("exception"),
    )


def _fail_on_bad_data(fn, *args, **kwargs):
    """Run ``fn``; bad data fails the task at once (no retry), anything else may be retried."""
    from airflow.sdk.exceptions import AirflowFailException

    from warehouse.core.errors import BadDataError

    try:
        return fn(*args, **kwargs)
    except BadDataError as e:
        from warehouse.core.safe_messages import scrub

        raise AirflowFailException(f"bad data, not retried: {scrub(str(e))}") from None


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def ingest(domain: str, landed_to=None, landed_from=None) -> dict:
    """Load and gate every new file of ``domain`` (bundled or landed up to ``landed_to``)."""
    from airflow.sdk.exceptions import AirflowFailException

    from warehouse.orchestrate import pipeline

    try:
        tables = [c.table for c in pipeline.chosen_contracts(domain=domain)]
    except KeyError as e:
        raise AirflowFailException(
            f"{e.args[0]}: add its source contract under dbt_project/models/staging/ "
            f"(see docs/architecture.md) before this DAG can run"
        ) from None
    results = _fail_on_bad_data(
        pipeline.ingest, domain=domain, landed_from=_as_date(landed_from), landed_to=_as_date(landed_to)
    )
    for r in results:
        log.info("%s", r)
    new = [r.load_id for r in results if r.status == "loaded"]
    return {"domain": domain, "tables": tables, "new_load_ids": new, "files_seen": len(results)}


def transform_and_publish(triggering_asset_events=None) -> dict:
    """Gate anything pending, dbt build, publish; covers every load since the last high-water mark.

    Asset events coalesce (several ingests can finish before this run starts, and the daily backstop
    has none), so the events are only logged: the work is defined by what is accepted in the working
    database, not by which event woke us up.
    """
    from warehouse.orchestrate import pipeline
    from warehouse.publish import versions

    events = _describe_events(triggering_asset_events)
    for line in events:
        log.info("triggered by %s", line)
    before = versions.published_high_water_mark()
    report = _fail_on_bad_data(pipeline.transform_and_publish)
    after = versions.published_high_water_mark()
    pipeline.note_attention(report)  # held rejections and landed paths not loaded: logged, each new one alerted once
    for line in report.lines():
        log.info("%s", line)
    log.info("high-water mark: load_id %s -> %s", before, after)
    return {
        "version": report.version or versions.published_version(),
        "unchanged": report.unchanged,
        "high_water_mark_before": before,
        "high_water_mark": after,
        "asset_events": len(events),
    }


def _describe_events(triggering_asset_events) -> list[str]:
    out = []
    for asset, evs in dict(triggering_asset_events or {}).items():
        for ev in evs:
            extra = getattr(ev, "extra", None) or {}
            out.append(
                f"{getattr(asset, 'name', asset)} at {getattr(ev, 'timestamp', '?')} "
                f"(new loads {extra.get('new_load_ids', '?')})"
            )
    return out


def papers_due(on: dt.date) -> list[dict]:
    """Panel meetings whose papers are due on ``on`` (meeting date minus the calendar's days_before).

    The calendar is ``seeds/reference/panel_calendar.csv`` (kept by the milestones work); no calendar,
    no reports.
    """
    import csv

    from warehouse.core.config import paths

    cal = paths().reference / "panel_calendar.csv"
    if not cal.exists():
        log.warning("no panel calendar at %s: no report is due", cal)
        return []
    due = []
    with open(cal, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            meeting = dt.date.fromisoformat(row["meeting_date"])
            if meeting - dt.timedelta(days=int(row.get("days_before") or 0)) == on:
                due.append(
                    {
                        "area_code": row["area_code"],
                        "meeting_date": meeting.isoformat(),
                        "panel_name": row.get("panel_name", ""),
                    }
                )
    return due


def build_reports(due: list[dict], as_at: dt.date) -> list[str]:
    """Build each due force's milestone pack from the published warehouse (read-only)."""
    from warehouse.report.pack import build_pack

    folders = []
    for m in due:
        pack = build_pack(m["area_code"], as_at)
        log.info("%s (meeting %s): pack in %s", m["area_code"], m["meeting_date"], pack.folder)
        folders.append(str(pack.folder))
    return folders
