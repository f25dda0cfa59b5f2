"""Row-level failures: the bad rows of a file go to ``meta.quarantine`` and the good rows continue,
unless the file's share of bad rows passes its limit (``warehouse/core/reliability.yml``), which rejects
the whole file. Quarantined rows stay in raw (with the original text here) but staging never reads
them (macro ``accepted_rows``), so every load reconciles: rows read = rows accepted + rows quarantined.
"""

from __future__ import annotations

import duckdb

from warehouse.core import limits, safe_messages


def by_load(rows: list[tuple], out: dict[int, list[tuple]] | None = None) -> dict[int, list[tuple]]:
    """Rows a gate check found for many loads at once (first column the load id), as the rest of each
    row by load, in query order: what ``record`` then takes load by load."""
    out = {} if out is None else out
    for load_id, *rest in rows:
        out.setdefault(load_id, []).append(tuple(rest))
    return out


def record(
    con: duckdb.DuckDBPyConnection,
    load_id: int,
    table: str,
    file: str,
    rows: list[tuple[int, str | None, str | None, str]],
) -> None:
    """``rows``: (row_number, column, found value, reason). A person-level column's value is not kept
    (warehouse/core/safe_messages.py): the row number and raw history say where it is."""
    if rows:
        contract = _contract(table)
        stored = [(r, c, safe_messages.stored_value(contract, c, v), why) for r, c, v, why in rows]
        con.executemany(
            "insert into meta.quarantine (load_id, source_table, file, row_number, column_name, value, reason) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [(load_id, table, file, int(r), c, None if v is None else str(v)[:500], why) for r, c, v, why in stored],
        )


def _contract(table: str):
    from warehouse.core import contracts

    try:
        return contracts.get(table)
    except KeyError:
        return None


def bad_rows(con: duckdb.DuckDBPyConnection, load_id: int) -> int:
    return con.execute(
        "select count(distinct row_number) from meta.quarantine where load_id = ?", [load_id]
    ).fetchall()[0][0]


def over_limit(table: str, bad: int, rows_read: int) -> str | None:
    """Why the file must be rejected for its bad rows, or None if they can be quarantined."""
    if not bad:
        return None
    limit = limits.max_bad_share(table)
    share = bad / max(rows_read, 1)
    if share <= limit:
        return None
    return (
        f"{bad:,} of {rows_read:,} data rows ({share:.3%}) failed row-level checks; the limit for "
        f"{table} is {limit:.1%} (warehouse/core/reliability.yml), so the whole file is rejected"
    )
