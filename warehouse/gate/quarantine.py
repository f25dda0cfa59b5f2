"""Row-level failures: the bad rows of a file go to ``meta.quarantine`` and the good rows continue,
unless the file's share of bad rows passes its limit (``warehouse/core/reliability.yml``), which rejects
the whole file. Quarantined rows stay in raw (with the original text here) but staging never reads
them (macro ``accepted_rows``), so every load reconciles: rows read = rows accepted + rows quarantined.
"""

from __future__ import annotations

import duckdb

from warehouse.core import limits as reliability


def record(con: duckdb.DuckDBPyConnection, load_id: int, table: str, file: str,
           rows: list[tuple[int, str | None, str | None, str]]) -> None:
    """``rows``: (row_number, column, found value, reason)."""
    if rows:
        con.executemany(
            "insert into meta.quarantine (load_id, source_table, file, row_number, column_name, value, reason) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [(load_id, table, file, int(r), c, None if v is None else str(v)[:500], why) for r, c, v, why in rows],
        )


def bad_rows(con: duckdb.DuckDBPyConnection, load_id: int) -> int:
    return con.execute("select count(distinct row_number) from meta.quarantine where load_id = ?",
                       [load_id]).fetchall()[0][0]


def over_limit(table: str, bad: int, rows_read: int) -> str | None:
    """Why the file must be rejected for its bad rows, or None if they can be quarantined."""
    if not bad:
        return None
    limit = reliability.max_bad_share(table)
    share = bad / max(rows_read, 1)
    if share <= limit:
        return None
    return (f"{bad:,} of {rows_read:,} data rows ({share:.3%}) failed row-level checks; the limit for "
            f"{table} is {limit:.1%} (warehouse/core/reliability.yml), so the whole file is rejected")
