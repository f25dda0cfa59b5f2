"""Publishers' missing-value markers, declared by any contract whatever its reader.

A contract lists them once: ``missing_values: ["[x]", "[z]", "[c]", "..", "#N/A"]`` (under
``config: meta: contract:``); a column may list its own under its ``meta`` instead (e.g. ``[c]``
allowed only in a suppressed count). A field holding exactly a marker (spaces around it ignored) is
read as missing (NULL), and the loader says what it read so (build output and ``meta.missing_values``:
load, column, marker, rows). A marker the contract does not declare stays a bad value, with its row.
"""

from __future__ import annotations

import duckdb

from warehouse.core import meta_tables
from warehouse.core.contracts import Contract


def markers(contract: Contract, column: str) -> list[str]:
    own = contract.column(column).meta.get("missing_values")
    found = own if own is not None else contract.meta.get("missing_values") or []
    return [str(m) for m in ([found] if isinstance(found, str) else found)]


def declared(contract: Contract) -> bool:
    return any(markers(contract, c) for c in contract.column_names)


def apply(
    con: duckdb.DuckDBPyConnection, rel: duckdb.DuckDBPyRelation, contract: Contract
) -> tuple[duckdb.DuckDBPyRelation, list[tuple[str, str, int, str]]]:
    """``rel`` with each declared marker read as NULL, and what was read so:
    (column, marker, rows, first rows). Columns the reader already typed are left alone."""
    types = {name: str(t).upper() for name, t in zip(rel.columns, rel.types)}
    found_sql, params, select = [], [], []
    for name in rel.columns:
        m = markers(contract, name) if name in contract.column_names else []
        q = '"' + name.replace('"', '""') + '"'
        if not m or types[name] != "VARCHAR":
            select.append(q)
            continue
        found_sql.append(
            f"select ? as col, trim({q}) as marker, count(*) as n, "
            f"list(_row_number order by _row_number)[1:5]::varchar as first from _pcp_na "
            f"where trim({q}) in (select unnest(?)) group by 2"
        )
        params += [name, m]
        listed = ", ".join("'" + x.replace("'", "''") + "'" for x in m)  # quoted literals: data, not code
        select.append(f"case when trim({q}) in ({listed}) then null else {q} end as {q}")
    if not found_sql:
        return rel, []
    con.register("_pcp_na", rel)
    try:
        found = con.execute(" union all ".join(found_sql) + " order by 1, 2", params).fetchall()
    finally:
        con.unregister("_pcp_na")
    if not found:
        return rel, []
    return rel.project(", ".join(select)), [(c, m, n, first) for c, m, n, first in found]


def describe(found: list[tuple[str, str, int, str]]) -> str:
    return "; ".join(f"{c}: {n:,} x {m!r} (rows {first.strip('[]')})" for c, m, n, first in found)


def record(con: duckdb.DuckDBPyConnection, load_id: int, found: list[tuple[str, str, int, str]]) -> None:
    if found:
        con.execute(meta_tables.MISSING_VALUES)
        con.executemany(
            "insert into meta.missing_values values (?, ?, ?, ?, ?)",
            [(load_id, c, m, n, first) for c, m, n, first in found],
        )
