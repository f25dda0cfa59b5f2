"""DuckDB connections. One writer at a time on the working file; analysts read the published copy.

Every writer opens, writes and closes inside a ``with`` block: no connection outlives its task.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import duckdb

from warehouse import partitions, quarantine
from warehouse.config import duckdb_memory_limit, paths

META_DDL = """
create schema if not exists raw;
create schema if not exists meta;
create sequence if not exists meta.load_seq start 1;
create table if not exists meta.loads (
    load_id      bigint primary key,
    source_table varchar not null,
    source_file  varchar not null,
    sha256       varchar not null,
    vintage      date,
    is_sample    boolean not null,
    rows_read    bigint,
    status       varchar not null,    -- pending | accepted | rejected
    message      varchar,
    loaded_at    timestamp not null,
    validated_at timestamp
);
alter table meta.loads add column if not exists rows_quarantined bigint default 0;
-- where the file was and its size and mtime when hashed: the same three again reuse its sha256 (load.py)
alter table meta.loads add column if not exists source_path varchar;
alter table meta.loads add column if not exists file_bytes bigint;
alter table meta.loads add column if not exists file_mtime_ns bigint;
"""


def limits() -> dict[str, str]:
    """Memory limit and spill folder for the pipeline's DuckDB (dbt gets the same through profiles.yml):
    bounded memory by construction, spilling under var/ rather than beside the database file."""
    temp = paths().duckdb_temp
    temp.mkdir(parents=True, exist_ok=True)
    return {"memory_limit": duckdb_memory_limit(), "temp_directory": str(temp)}


@contextlib.contextmanager
def writer(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """The single read-write connection to the working database."""
    path = Path(path or paths().working)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), config=limits())
    try:
        con.execute(META_DDL)
        con.execute(quarantine.DDL)
        con.execute(partitions.DDL)
        yield con
    finally:
        con.close()


@contextlib.contextmanager
def reader(path: Path | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the published database (what analysts and reports use)."""
    path = Path(path or paths().published)
    if not path.exists():
        raise FileNotFoundError(f"no published warehouse at {path}: run `make run` (or `pcp build`) first")
    con = duckdb.connect(str(path), read_only=True)
    try:
        yield con
    finally:
        con.close()
