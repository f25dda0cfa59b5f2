"""Raw loads: append-only, one ``load_id`` per file, idempotent by content (sha256).

A file's rows land in ``raw.<table>`` with status ``pending``; the quality gate then marks the load
``accepted`` or ``rejected``. Staging reads accepted loads only, so rejected rows stay in raw for
audit but never reach a mart. A restated period arrives as a new load: raw keeps both versions and
staging takes the latest vintage per period.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse import quarantine
from warehouse.contracts import Contract
from warehouse.errors import ContractError, QualityError
from warehouse.reliability import fault_point
from warehouse.sources import reader_for

META_COLUMNS = (
    ("_load_id", "BIGINT"),
    ("_row_number", "BIGINT"),
    ("_source_file", "VARCHAR"),
    ("_sha256", "VARCHAR"),
    ("_vintage", "DATE"),
    ("_is_sample", "BOOLEAN"),
    ("_loaded_at", "TIMESTAMP"),
)


@dataclass(frozen=True)
class LoadResult:
    table: str
    file: str
    load_id: int | None
    rows: int
    status: str  # loaded | unchanged

    def __str__(self) -> str:
        if self.status == "unchanged":
            return f"{self.table}: {self.file} already loaded (same sha256), nothing to do"
        return f"{self.table}: loaded {self.rows:,} rows from {self.file} as load {self.load_id}"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_raw_table(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    cols = [f'"{c.name}" {c.duckdb_type}' for c in contract.columns] + [f"{n} {t}" for n, t in META_COLUMNS]
    con.execute(f"create table if not exists raw.{contract.table} ({', '.join(cols)})")


def _cast_failures(con: duckdb.DuckDBPyConnection, rel: duckdb.DuckDBPyRelation, path: Path,
                   contract: Contract) -> tuple[list[tuple[int, str, str, str]], list[str]]:
    """Values that do not cast to their contract type: quarantine rows, and a message per column."""
    con.register("_incoming", rel)
    rows, messages = [], []
    try:
        for c in contract.columns:
            bad = con.execute(
                f'select _row_number, "{c.name}"::varchar from _incoming '
                f'where "{c.name}" is not null and try_cast("{c.name}" as {c.duckdb_type}) is null '
                f"order by _row_number"
            ).fetchall()
            if bad:
                samples = "; ".join(f"row {r}: {v!r}" for r, v in bad[:5])
                messages.append(f"{path.name}: column {c.name!r} expects {c.data_type} values but {len(bad):,} "
                                f"row(s) are not: {samples}{_hint(v for _, v in bad)}")
                rows += [(r, c.name, v, f"not a {c.data_type} value{_hint([v])}") for r, v in bad]
            if c.data_type == "varchar":  # text a spreadsheet would run when a report is opened
                bad = con.execute(
                    f'select _row_number, "{c.name}" from _incoming where regexp_matches("{c.name}", ?) '
                    f"order by _row_number", [FORMULA]).fetchall()
                if bad:
                    messages.append(f"{path.name}: column {c.name!r}: {len(bad):,} row(s) hold formula-like text: "
                                    + "; ".join(f"row {r}: {v!r}" for r, v in bad[:5])
                                    + " (expected plain text, not starting with = + - @)")
                    rows += [(r, c.name, v, "formula-like text (expected plain text, not starting with = + - @)")
                             for r, v in bad]
    finally:
        con.unregister("_incoming")
    return rows, messages


FORMULA = r"^\s*([=@]|[+-][A-Za-z(])"  # =HYPERLINK(...), @SUM(...), +cmd|..., -cmd; not "-5" or "+44"


def _hint(values) -> str:
    """Say what a familiar kind of bad number looks like, so the fix is obvious."""
    for v in values:
        t = str(v).strip()
        if t in ("[x]", "[c]", "[z]", "..", "*", ":", "-", "x") or t.endswith(("*", "]")):
            return " (a footnote or suppression marker where a number was expected)"
        if "," in t and t.replace(",", "").replace(".", "").lstrip("-").isdigit():
            return " (thousands separators: expected plain digits)"
        if t[:1] in ("=", "+", "@") and not t[1:2].isdigit():
            return " (spreadsheet formula text)"
    return ""


def _previous(con: duckdb.DuckDBPyConnection, table: str, sha: str):
    rows = con.execute(
        "select load_id, status, message, rows_read from meta.loads where source_table = ? and sha256 = ? "
        "order by load_id desc limit 1",
        [table, sha],
    ).fetchall()
    return rows[0] if rows else None


def load_file(con: duckdb.DuckDBPyConnection, contract: Contract, path: Path,
              vintage: dt.date | None = None, is_sample: bool | None = None) -> LoadResult:
    """Append one file to raw (status pending). Same content twice is a no-op; a file once rejected
    is rejected again with the same message rather than silently skipped."""
    path = Path(path)
    sha = sha256_of(path)
    is_sample = contract.is_sample if is_sample is None else is_sample
    prev = _previous(con, contract.table, sha)
    if prev is not None:
        load_id, status, message, rows = prev
        if status == "rejected":
            raise QualityError(f"{path.name} was rejected before (load {load_id}): {message}")
        return LoadResult(contract.table, path.name, load_id, rows or 0, "unchanged")

    ensure_raw_table(con, contract)
    load_id = con.execute("select nextval('meta.load_seq')").fetchall()[0][0]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        rel = reader_for(contract)(con, path, contract)
        rows_read = rel.count("*").fetchall()[0][0]
        if rows_read == 0:
            raise ContractError(f"{path.name}: the file has a header but no data rows (contract {contract.table})")
        bad, messages = _cast_failures(con, rel, path, contract)
        too_many = quarantine.over_limit(contract.table, len({r for r, *_ in bad}), rows_read)
        if too_many:
            quarantine.record(con, load_id, contract.table, path.name, bad)  # kept for the record
            raise ContractError("\n".join(messages) + f"\n{path.name}: {too_many}")
    except ContractError as e:
        _record(con, load_id, contract, path, sha, vintage, is_sample, 0, "rejected", str(e), now)
        raise
    except duckdb.Error as e:
        msg = f"{path.name}: could not be read as {contract.table}: {e}"
        _record(con, load_id, contract, path, sha, vintage, is_sample, 0, "rejected", msg, now)
        raise ContractError(msg) from None
    casts = ", ".join(f'try_cast("{c.name}" as {c.duckdb_type})' for c in contract.columns)
    con.register("_incoming", rel)
    try:
        con.execute("begin")
        con.execute(
            f"insert into raw.{contract.table} select {casts}, ?, _row_number::bigint, ?, ?, ?, ?, ? "
            f"from _incoming",
            [load_id, path.name, sha, vintage, is_sample, now],
        )
        fault_point("load:inserted")
        rows = con.execute(f"select count(*) from raw.{contract.table} where _load_id = ?", [load_id]).fetchall()[0][0]
        quarantine.record(con, load_id, contract.table, path.name, bad)
        _record(con, load_id, contract, path, sha, vintage, is_sample, rows, "pending", None, now)
        con.execute("commit")
    except duckdb.Error as e:
        con.execute("rollback")
        msg = f"{path.name}: could not be read as {contract.table}: {e}"
        _record(con, load_id, contract, path, sha, vintage, is_sample, 0, "rejected", msg, now)
        raise ContractError(msg) from None
    finally:
        con.unregister("_incoming")
    return LoadResult(contract.table, path.name, load_id, rows, "loaded")


def _record(con, load_id, contract, path, sha, vintage, is_sample, rows, status, message, now) -> None:
    con.execute(
        "insert into meta.loads (load_id, source_table, source_file, sha256, vintage, is_sample, rows_read, "
        "status, message, loaded_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [load_id, contract.table, path.name, sha, vintage, is_sample, rows, status, message, now],
    )


def pending_loads(con: duckdb.DuckDBPyConnection, table: str | None = None) -> list[tuple[int, str, str]]:
    sql = "select load_id, source_table, source_file from meta.loads where status = 'pending'"
    params: list = []
    if table:
        sql += " and source_table = ?"
        params.append(table)
    return con.execute(sql + " order by load_id", params).fetchall()


def set_status(con: duckdb.DuckDBPyConnection, load_id: int, status: str, message: str | None = None) -> None:
    con.execute(
        "update meta.loads set status = ?, message = ?, validated_at = now()::timestamp where load_id = ?",
        [status, message, load_id],
    )
