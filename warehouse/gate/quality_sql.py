"""The quality gate's fast path for large batches: the same Great Expectations suite, counted in DuckDB.

GE validates pandas DataFrames: a batch is copied out of DuckDB and every expectation is a pass in
Python, about a second each on a 400,000-row call log on this machine, so a national month of calls
(millions of rows) takes minutes and gigabytes. Here the checked-in suite JSON (the very file GE runs,
written from the contract by `pcp expectations`) is read and every expectation becomes one
``count(*) filter (where <row breaks it>)`` in a single query over the batch, where the rows already
are. GE's semantics are kept: NULLs are skipped by value checks, pairs are skipped when either side is
missing, uniqueness counts every duplicate.

This path only ever accepts. If any count is non-zero, or the suite holds an expectation or option it
does not render (``mostly``, strict bounds, a type not listed below), it says no and the gate falls
back to GE load by load, which names the file, rows and values as before. tests/orchestrate/test_bench.py checks
that each rendered expectation rejects a batch GE rejects.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from warehouse.core.config import paths
from warehouse.core.contracts import Contract

# Below this many rows GE's own run is quick enough (and gives its messages directly). GE on pandas
# costs about a second per 100k rows per expectation here: 75k call rows (a month of a small bench)
# took 21 s, so the line sits well below a national month (millions of rows).
MIN_ROWS = 20_000
# The pandas dtype GE checks -> DuckDB column types that load.py casts to it.
TYPES = {
    "str": {"VARCHAR"},
    "int64": {"BIGINT", "INTEGER", "HUGEINT", "SMALLINT"},
    "float64": {"DOUBLE", "FLOAT"},
    "datetime64[us]": {"TIMESTAMP", "DATE"},
    "bool": {"BOOLEAN"},
}


# Types whose values hash equal exactly when DISTINCT calls them equal (see _unique).
HASHABLE = {"VARCHAR", "BIGINT", "INTEGER", "HUGEINT", "SMALLINT", "DATE", "TIMESTAMP", "BOOLEAN"}


class Unsupported(Exception):
    """The suite holds something this renderer does not handle: let GE do it."""


def suite(name: str) -> list[dict]:
    path = paths().expectations / "gx" / "expectations" / f"{name}.json"
    return json.loads(path.read_text())["expectations"]


def _q(col: str) -> str:
    return '"' + col.replace('"', '""') + '"'


def _literal(v, today: dt.datetime) -> str:
    if isinstance(v, dict) and v.get("$PARAMETER") == "today":
        v = today
    if isinstance(v, bool) or v is None:
        raise Unsupported(f"bound {v!r}")
    if isinstance(v, (int, float)):
        return repr(float(v))
    if isinstance(v, dt.datetime):
        return f"timestamp '{v.isoformat(sep=' ')}'"
    if isinstance(v, str):  # ISO dates and datetimes as GE stores them
        return f"timestamp '{dt.datetime.fromisoformat(v).isoformat(sep=' ')}'"
    raise Unsupported(f"bound {v!r}")


def _violations(e: dict, types: dict[str, str], today: dt.datetime) -> str | tuple[str, str] | None:
    """SQL counting the rows that break expectation ``e`` (None: checked from the schema, passed;
    uniqueness: a quick count that may only overstate, and the exact count to run if it is not 0)."""
    kind, kw = e["type"], dict(e["kwargs"])
    if kw.get("mostly", 1) != 1 or kw.get("strict_min") or kw.get("strict_max"):
        raise Unsupported(f"{kind} with {kw}")
    col = kw.get("column")
    if kind == "expect_table_columns_to_match_set":
        if set(kw["column_set"]) != set(types) or kw.get("exact_match") is False:
            raise Unsupported(kind)
        return None
    if kind == "expect_column_values_to_be_of_type":
        if types[col] not in TYPES.get(kw["type_"], ()):
            raise Unsupported(f"{col} is {types[col]}, suite expects {kw['type_']}")
        return None
    c = _q(col) if col else None
    if kind == "expect_column_values_to_not_be_null":
        return f"count(*) filter (where {c} is null)"
    if kind == "expect_column_values_to_be_in_set":
        values = ", ".join("'" + str(v).replace("'", "''") + "'" for v in kw["value_set"])
        return f"count(*) filter (where {c} is not null and {c}::varchar not in ({values}))"
    if kind == "expect_column_values_to_match_regex":
        regex = kw["regex"].replace("'", "''")
        return f"count(*) filter (where {c} is not null and not regexp_matches({c}::varchar, '{regex}'))"
    if kind == "expect_column_values_to_be_between":
        cond = []
        if kw.get("min_value") is not None:
            cond.append(f"{c} < {_literal(kw['min_value'], today)}")
        if kw.get("max_value") is not None:
            cond.append(f"{c} > {_literal(kw['max_value'], today)}")
        return f"count(*) filter (where {c} is not null and ({' or '.join(cond) or 'false'}))"
    if kind == "expect_column_pair_values_a_to_be_greater_than_b":
        if kw.get("ignore_row_if") != "either_value_is_missing":
            raise Unsupported(f"{kind} ignore_row_if={kw.get('ignore_row_if')}")
        a, b = _q(kw["column_A"]), _q(kw["column_B"])
        op = "<" if kw.get("or_equal") else "<="
        return f"count(*) filter (where {a} is not null and {b} is not null and {a} {op} {b})"
    if kind == "expect_column_values_to_be_unique":
        return _unique(f"{c} is not null", [col], types)
    if kind == "expect_compound_columns_to_be_unique":
        return _unique(" or ".join(f"{_q(x)} is not null" for x in kw["column_list"]), kw["column_list"], types)
    raise Unsupported(kind)


def _unique(counted: str, columns: list[str], types: dict[str, str]) -> tuple[str, str]:
    """Duplicates among the rows where ``counted`` holds: (a count on 64-bit hashes, the exact count).

    Exact distinct over 30M 64-character call ids holds every string in a hash table (GBs); distinct
    hashes need 8 bytes a row. Equal values always hash equal, so as many distinct hashes as rows
    proves the values unique; fewer (a duplicate, or a collision: about 1 in 40,000 at 30M rows) and
    the exact count decides. Hashes only for types whose DISTINCT equality is equality of the stored
    value (not floats: -0.0 = 0.0); otherwise both are the exact count.
    """
    cols = ", ".join(_q(x) for x in columns)
    key = cols if len(columns) == 1 else f"row({cols})"
    exact = f"count(*) filter (where {counted}) - count(distinct case when {counted} then {key} end)"
    if any(types[x] not in HASHABLE for x in columns):
        return exact, exact
    return f"count(*) filter (where {counted}) - count(distinct case when {counted} then hash({cols}) end)", exact


def passes(
    con: duckdb.DuckDBPyConnection, contract: Contract, load_ids: list[int], today: dt.datetime | None = None
) -> bool:
    """True only if every expectation of the contract's suite holds on these loads' rows."""
    today = today or dt.datetime.combine(dt.date.today(), dt.time.max)
    types = {
        name: str(t)
        for name, t in con.execute(
            "select column_name, data_type from information_schema.columns where table_schema = 'raw' "
            "and table_name = ?",
            [contract.table],
        ).fetchall()
        if name in contract.column_names
    }
    types["_row_number"] = "BIGINT"
    try:
        checks = [s for s in (_violations(e, types, today) for e in suite(contract.table)) if s]
    except (Unsupported, KeyError, ValueError):
        return False
    ids = [int(i) for i in load_ids]
    if not ids:
        return False
    # Only these loads' rows: the range lets DuckDB skip the table's other row groups by their
    # min/max (loads are appended in load_id order), the list keeps out loads inside the range.
    rows = (
        f"from raw.{contract.table} where _load_id between {min(ids)} and {max(ids)} "
        f"and _load_id in ({', '.join(map(str, ids))})"
    )
    try:
        checks = [c if isinstance(c, tuple) else (c, c) for c in checks]
        counts = con.execute(f"select {', '.join(q for q, _ in checks)} {rows}").fetchone() if checks else ()
        for (quick, exact), n in zip(checks, counts):
            if n and exact != quick:  # fewer distinct hashes than rows: count the values themselves
                n = con.execute(f"select {exact} {rows}").fetchone()[0]
            if n:
                return False
    except duckdb.Error:  # e.g. a regex RE2 does not take: GE decides
        return False
    return True
