"""Publish: the analysts' database is written from the working database and swapped in atomically.

The working file (``var/build/working.duckdb``) is the pipeline's own storage: raw history (one row
per call, per Special per month: person-level), staging and intermediate models, marts and meta. The
analysts' file holds only what an analyst needs: the ``marts`` and ``reference`` tables and the
lineage metadata in ``meta`` (``ANALYST_SCHEMAS``; never ``raw``, ``staging``, ``intermediate``, nor
the refused cells' own text in ``meta.quarantine.value``). So a publish writes the marts, not the raw
history: its cost follows the marts (docs/architecture.md, "Split storage").

The closed, audited working file's analyst tables are written to a new file
(``var/build/analysts.duckdb``), copied (in the kernel, fsynced) to ``<served>.publishing`` and
renamed over ``var/warehouse.duckdb``; that file is then kept as ``var/published/<version>.duckdb``
(``versions.py``: the record, the store, the served file's checks). A reader holding the old file
keeps reading the old version (its inode lives on); nobody ever sees a half-written file.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.core import db
from warehouse.core.config import duckdb_storage_version, paths
from warehouse.core.faults import fault_point
from warehouse.publish import versions
from warehouse.publish.versions import PublishError

# What the analysts' file holds: aggregates, reference and lineage. Everything else in the working file
# (raw history, staging and intermediate models: person-level rows) stays in the pipeline's storage.
ANALYST_SCHEMAS = ("marts", "reference", "meta")
# Columns that stay behind: a refused cell's own text (a raw value) is kept for the record in the
# working file only; the analysts' file keeps which load, row, column and why.
PIPELINE_ONLY_COLUMNS = {("meta", "quarantine"): ("value",)}


def analyst_tables(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str, str | None]]:
    """(schema, table, comment) of the tables of ``database`` that the analysts' file holds."""
    return con.execute(
        "select schema_name, table_name, comment from duckdb_tables() where database_name = ? "
        "and schema_name in (select unnest(?::varchar[])) order by 1, 2",
        [database, list(ANALYST_SCHEMAS)],
    ).fetchall()


def analysts_file() -> Path:
    """Where a publish writes the analysts' file before copying it in (beside the working file)."""
    return paths().working.with_name("analysts.duckdb")


def write_analysts_file(working: Path, dst: Path) -> None:
    """Write a new DuckDB file ``dst`` (in the configured storage format, so older clients open it) with
    the analyst tables of ``working`` and their table and column comments (dbt's docs, for DBeaver, the
    DuckDB CLI and ``pcp export``). Reads ``working`` read-only; its cost follows the marts, not raw."""
    for leftover in (dst, dst.with_name(dst.name + ".wal")):
        leftover.unlink(missing_ok=True)
    # checkpoint_threshold 0: the commit writes the tables straight into the file (once), not into
    # the WAL first and the file again at a checkpoint (measured: about half the time)
    con = duckdb.connect(config={**db.limits(), "checkpoint_threshold": "0b"})
    try:
        con.execute(f"attach {db.literal(working)} as w (read_only)")
        con.execute(f"attach {db.literal(dst)} as a (storage_version '{duckdb_storage_version()}')")
        tables = analyst_tables(con, "w")
        con.execute("begin")  # one commit for the whole file, not one WAL flush per statement
        for schema in sorted({s for s, _, _ in tables}):
            con.execute(f'create schema a."{schema}"')
        for schema, table, _ in tables:
            left = ", ".join(f'"{c}"' for c in PIPELINE_ONLY_COLUMNS.get((schema, table), ()))
            con.execute(
                f'create table a."{schema}"."{table}" as select * {f"exclude ({left})" if left else ""} '
                f'from w."{schema}"."{table}"'
            )
        columns = con.execute(
            "select schema_name, table_name, column_name, comment from duckdb_columns() "
            "where database_name = 'w' and comment is not null and comment <> ''"
        ).fetchall()
        con.execute("use a")
        for schema, table, comment in tables:
            if comment:
                con.execute(f'comment on table "{schema}"."{table}" is {db.literal(comment)}')
        kept = {(s, t) for s, t, _ in tables}
        for schema, table, column, comment in columns:
            if (schema, table) in kept and column not in PIPELINE_ONLY_COLUMNS.get((schema, table), ()):
                con.execute(f'comment on column "{schema}"."{table}"."{column}" is {db.literal(comment)}')
        con.execute("commit")
    finally:
        con.close()


def publish_file(working: Path, version: str) -> Path:
    """Serve the analyst tables of the (closed, audited) working file atomically (``write_analysts_file``),
    then keep a copy of the served file as ``version``.

    In this order a crash leaves either the old version served and nothing kept, or the new one
    served (perhaps not yet kept); a version in the store was always served once, so rollback can
    trust the store. Refused if a rollback or withdrawal happened while this build ran (the build
    still holds a load that is now withdrawn).
    """
    from warehouse.publish import withdrawals

    p = paths()
    try:
        p.versions.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PublishError(
            f"cannot create the version store {p.versions}: {e.strerror or e}; nothing published"
        ) from None
    with versions.publish_lock():
        withdrawals.check_not_republished(working)
        analysts = analysts_file()
        try:
            write_analysts_file(working, analysts)
        except duckdb.Error as e:
            raise PublishError(
                f"could not write the analysts' file {analysts}: {str(e).splitlines()[0]}; "
                f"{p.published.name} was not changed"
            ) from None
        versions.fsync_copy(analysts, p.published)
        analysts.unlink()
        versions.record_served(version)
        fault_point("publish:swapped")
        versions.keep_copy(p.published, version)
        versions.prune_versions()
        for kept in versions.kept_versions():  # any left from before the split: analysts' tables only
            versions.strip_to_analysts_file(kept)
    return p.published
