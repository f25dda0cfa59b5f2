"""DuckDB connections. One writer at a time on the working file; analysts read the published copy.

Every writer opens, writes and closes inside a ``with`` block: no connection outlives its task.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb

from warehouse.core import meta_tables
from warehouse.core.config import duckdb_memory_limit, duckdb_storage_version, paths
from warehouse.core.errors import PipelineError


def limits() -> dict[str, str]:
    """Memory limit and spill folder for the pipeline's DuckDB (dbt gets the same through profiles.yml):
    bounded memory by construction, spilling under var/ rather than beside the database file."""
    temp = paths().duckdb_temp
    temp.mkdir(parents=True, exist_ok=True)
    return {
        "memory_limit": duckdb_memory_limit(),
        "temp_directory": str(temp),
        "storage_compatibility_version": duckdb_storage_version(),
    }


def storage_version(path: Path) -> str | None:
    """The storage format a DuckDB file is written in, e.g. ``v1.4.0`` or ``v2.0.0+``."""
    con = duckdb.connect()
    try:
        con.execute("attach ? as f (read_only)", [str(path)])
        return con.execute(
            "select tags['storage_version'] from duckdb_databases() where database_name = 'f'"
        ).fetchone()[0]
    finally:
        con.close()


def _version_key(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.lstrip("v").rstrip("+").split(".") if x.isdigit())


def ensure_storage_version(path: Path) -> bool:
    """Rewrite ``path`` in the configured storage format if it was written in a newer one (a working
    file from before the setting): copied whole into a new file, then renamed over. True if rewritten."""
    want = duckdb_storage_version()
    have = storage_version(path) if path.exists() else None
    if have is None or _version_key(have) <= _version_key(want):
        return False
    new = path.with_name(path.name + ".storage")
    new.unlink(missing_ok=True)
    con = duckdb.connect(config=limits())
    try:
        con.execute("attach ? as old (read_only)", [str(path)])
        con.execute(f"attach ? as new (storage_version '{want}')", [str(new)])
        con.execute("copy from database old to new")
    finally:
        con.close()
    new.replace(path)
    return True


@contextlib.contextmanager
def writer(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The single read-write connection to the working database."""
    path = Path(path or paths().working)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = connect(path, config=limits())
    try:
        con.execute(meta_tables.LOADS)
        con.execute(meta_tables.QUARANTINE)
        con.execute(meta_tables.PARTITIONS)
        yield con
    finally:
        con.close()


# For queries typed by a person (``pcp sql``): no file, network or extension access, settings locked,
# so a query can read the published tables and nothing else on the machine, nor write anywhere.
SANDBOX = {"enable_external_access": False, "lock_configuration": True}


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, database: str | None = None) -> bool:
    """Whether ``schema.table`` (a table or a view) exists in ``database``, by default the connection's own
    file (not one it has attached)."""
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_catalog = coalesce(?, current_database()) "
            "and table_schema = ? and table_name = ?",
            [database, schema, table],
        ).fetchall()[0][0]
    )


def literal(value) -> str:
    """A SQL string literal for a statement that takes no bound parameters (ATTACH): a path is data,
    so an apostrophe in PCP_VAR_DIR cannot end the string."""
    return "'" + str(value).replace("'", "''") + "'"


def connect(path: Path, **kwargs) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` that says plainly why a file cannot be opened (PipelineError, one line):
    another process holds its lock (with that process's PID), or it is not a DuckDB file."""
    try:
        return duckdb.connect(str(path), **kwargs)
    except duckdb.Error as e:
        raise PipelineError(describe_open_error(path, e)) from None


def describe_open_error(path: Path, e: Exception) -> str:
    msg = str(e)
    m = re.search(r"Conflicting lock is held in (.*?) \(PID (\d+)\)", msg)
    if m:
        return (
            f"{path} is locked by another process (PID {m.group(2)}, {m.group(1)}): close it there "
            f"(an IDE, notebook or a running build) and run again"
        )
    if is_damaged(e):
        return (
            f"{path} is damaged (not a readable DuckDB database: {msg.splitlines()[0]}); move it aside and "
            f"run `pcp build` to rebuild it from the published copy and the landed files"
        )
    return f"could not open {path}: {msg.splitlines()[0] if msg else type(e).__name__}"


def is_damaged(e: Exception) -> bool:
    msg = str(e).lower()
    return any(
        t in msg
        for t in (
            "not a valid duckdb database",
            "corrupt",
            "checksum",
            "serialization error",
            "invalid database",
            "could not read enough bytes",
            "unsupported version",
        )
    )


@contextlib.contextmanager
def reader(path: Path | None = None, sandbox: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published database (what analysts and reports use); the served
    file is checked first and replaced from a kept copy if it was changed or damaged (versions.served).
    ``sandbox``: also no access to other files (``COPY ... TO``, ``read_text``, ``ATTACH``)."""
    if path is None:
        from warehouse.publish import versions

        path = versions.served()
    path = Path(path or paths().published)
    if not path.exists():
        raise FileNotFoundError(f"no published warehouse at {path}: run `make run` (or `pcp build`) first")
    con = connect(path, read_only=True, config=SANDBOX if sandbox else {})
    try:
        yield con
    finally:
        con.close()
