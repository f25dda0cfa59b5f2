"""The local Airflow's SQLite metadata database, made to survive a busy machine.

`airflow standalone` runs the API server, scheduler, DAG processor and triggerer as separate
processes on one SQLite file. With SQLite's defaults (rollback journal, 5 s busy timeout) a write
that waits more than 5 s for another process's lock fails with "database is locked" (reproduced with
`airflow backfill create` on 2 busy cores). Two settings fix it: WAL, so readers never wait for the
writer, and a longer busy timeout, so writers queue instead of failing. scripts/airflow_local.sh
applies both; a server database (Postgres) needs neither. What they cannot fix, the API server's
audit-log write on its event loop, is in docs/airflow.md.
"""

from __future__ import annotations

import sqlite3
import sys

# Airflow's [database] sql_alchemy_connect_args(_async) name this dict; sqlite3/aiosqlite take `timeout`
# (seconds to wait for a lock).
CONNECT_ARGS = {"timeout": 60}


def sqlite_path(sql_alchemy_conn: str) -> str | None:
    """The file behind an absolute sqlite URL (sqlite:////abs/path), or None for any other database."""
    prefix = "sqlite:///"
    if not sql_alchemy_conn.startswith(prefix):
        return None
    return sql_alchemy_conn[len(prefix):].split("?", 1)[0] or None


def use_wal(path: str) -> str:
    """Switch the file to write-ahead logging; the mode is stored in the file, so once is enough."""
    con = sqlite3.connect(path, timeout=CONNECT_ARGS["timeout"])
    try:
        return con.execute("pragma journal_mode=wal").fetchone()[0]
    finally:
        con.close()


if __name__ == "__main__":  # python -m warehouse.airflow_sqlite <sql_alchemy_conn>
    target = sqlite_path(sys.argv[1])
    if target:
        mode = use_wal(target)
        if mode != "wal":
            sys.exit(f"{target}: could not switch the Airflow metadata DB to WAL (journal mode is {mode})")
