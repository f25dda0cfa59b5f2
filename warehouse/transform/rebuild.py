"""Which dbt nodes a build must rebuild: only what the changed sources feed, when that is safe.

The working database keeps every model from its last good build. When the code (dbt project,
reference seeds, pipeline) is the same as then and that build finished, a build only needs the
models downstream of the raw tables whose accepted loads changed (``dbt build --select
source:<src>.<table>+``); every other model is already what a full build would make. Anything
else - first build, code changed, a build that died or failed half way - rebuilds everything.

State lives in the working file (``meta.dbt_state``, one row), so it travels with the models it
describes: a working file restored from the published copy carries the state of that build.
"""

from __future__ import annotations

import json

import duckdb

from warehouse.core import contracts, meta_tables
from warehouse.publish import fingerprint, versions


def _state(con: duckdb.DuckDBPyConnection) -> tuple[str | None, bool] | None:
    con.execute(meta_tables.DBT_STATE)
    rows = con.execute("select code_fingerprint, clean from meta.dbt_state").fetchall()
    return rows[0] if rows else None


def _set_state(con: duckdb.DuckDBPyConnection, code: str | None, clean: bool) -> None:
    con.execute(meta_tables.DBT_STATE)
    con.execute("delete from meta.dbt_state")
    con.execute("insert into meta.dbt_state values (?, ?, now()::timestamp)", [code, clean])


def selection(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    """dbt selectors for this build, or None for a full build."""
    state = _state(con)
    if state is None or not state[1] or state[0] != fingerprint.code_fingerprint():
        return None
    last = versions.latest_publication(con, "loads")
    if not last:
        return None
    built = {(r[0], r[1]) for r in json.loads(last[0] or "[]")}
    now = set(con.execute("select load_id, source_table from meta.loads where status = 'accepted'").fetchall())
    changed = sorted({table for _, table in built ^ now})
    known = contracts.all_contracts()
    if not changed or any(t not in known for t in changed):
        return None  # nothing to narrow to (e.g. after a rollback), or a table no contract names
    return [f"source:{known[t].source}.{known[t].name}+" for t in changed]


def started(con: duckdb.DuckDBPyConnection) -> None:
    """Mark the models dirty before dbt touches them: a crash or failure means a full build next time."""
    state = _state(con)
    _set_state(con, state[0] if state else None, False)


def finished(con: duckdb.DuckDBPyConnection) -> None:
    _set_state(con, fingerprint.code_fingerprint(), True)
