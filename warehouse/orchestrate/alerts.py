"""Failure alerts: every failed pipeline task is recorded where the team looks.

Always: one JSON line in ``var/alerts/failures.jsonl`` (and the task log). Optionally, when configured
by environment variable (off by default, so tests and laptops never send anything):
``PCP_ALERT_WEBHOOK`` - a chat incoming-webhook URL (Slack/Teams/Mattermost accept ``{"text": ...}``);
``PCP_ALERT_EMAIL`` - comma-separated addresses, sent through ``PCP_SMTP_HOST`` (default localhost:25).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path

from warehouse.core import safe_messages
from warehouse.core.config import paths
from warehouse.core.private_files import private_file, write_private

log = logging.getLogger(__name__)


def failures_file() -> Path:
    return paths().var / "alerts" / "failures.jsonl"


def record_failure(
    *,
    dag_id: str,
    task_id: str,
    run_id: str,
    try_number: int | None,
    error: BaseException | str | None,
    will_retry: bool = False,
) -> dict:
    """Append one failure record and send it to whichever channels are configured."""
    summary = _summary(error)
    entry = {
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "dag_id": dag_id,
        "task_id": task_id,
        "run_id": run_id,
        "try_number": try_number,
        "error_type": type(error).__name__ if isinstance(error, BaseException) else None,
        "error": summary,
        "will_retry": will_retry,
    }
    f = failures_file()
    # owner-only (errors name files and loads); one short line per write: appends do not interleave
    with private_file(f) as fh:
        fh.write(json.dumps(entry) + "\n")
    text = f"PCP warehouse: {dag_id}.{task_id} failed (run {run_id}, try {try_number}): {summary}"
    log.error("%s [recorded in %s]", text, f)
    _notify(text)
    return entry


def record_input_problem(key: str, problem: str) -> dict | None:
    """Alert once about a refused file or a landed path that was not loaded (``key`` identifies it):
    a later build that still sees it lists it in its summary and ``pcp status`` but does not alert again."""
    seen_file = failures_file().with_name("input_problems_seen.json")
    seen = set(json.loads(seen_file.read_text())) if seen_file.exists() else set()
    if key in seen:
        return None
    entry = record_failure(dag_id="pcp", task_id="ingest", run_id="input", try_number=None, error=problem)
    seen.add(key)
    write_private(seen_file, json.dumps(sorted(seen)))
    return entry


def _summary(error: BaseException | str | None, limit: int = 2000) -> str:
    if error is None:
        return "no exception recorded"
    s = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error)
    s = safe_messages.scrub(s)  # DuckDB's copy of a raw row never reaches an alert
    return s if len(s) <= limit else s[:limit] + " ..."


def _notify(text: str) -> None:
    """Best effort: a broken chat or mail server must not hide the original failure."""
    url = os.environ.get("PCP_ALERT_WEBHOOK")
    if url:
        try:
            import requests

            requests.post(url, json={"text": text}, timeout=10).raise_for_status()
        except Exception as e:  # noqa: BLE001 - reporting the alert failure is all we can do
            log.warning("could not post the alert to PCP_ALERT_WEBHOOK: %s", e)
    to = os.environ.get("PCP_ALERT_EMAIL")
    if to:
        try:
            import smtplib
            from email.message import EmailMessage

            msg = EmailMessage()
            msg["Subject"] = text[:120]
            msg["From"] = os.environ.get("PCP_ALERT_FROM", "pcp-warehouse@localhost")
            msg["To"] = to
            msg.set_content(text)
            host, _, port = os.environ.get("PCP_SMTP_HOST", "localhost:25").partition(":")
            with smtplib.SMTP(host, int(port or 25), timeout=10) as s:
                s.send_message(msg)
        except Exception as e:  # noqa: BLE001
            log.warning("could not email the alert to %s: %s", to, e)
