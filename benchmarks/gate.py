"""The quality gate on one large batch: Great Expectations on pandas vs the same suite in DuckDB.

Issue 9's target: a 1M-row batch validated in under 2 s. Takes a built working database (read only),
picks whole call-log loads adding up to at least ``rows`` rows and times, on exactly those rows:
  ge      copy the rows to a DataFrame and run the GE suite (what the gate does below
          quality_sql.MIN_ROWS rows, and load by load whenever the fast path says no);
  duckdb  warehouse/quality_sql.passes: the same suite JSON as one DuckDB query.
    python -m benchmarks.gate WORKING.duckdb [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb

TABLE = "force_feeds__calls"


def measure(db: Path, rows: int = 1_000_000) -> dict:
    from warehouse.core import contracts
    from warehouse.gate import quality, quality_sql

    contract = contracts.get(TABLE)
    con = duckdb.connect(str(db), read_only=True)
    try:
        loads = con.execute(
            "select load_id, rows_read from meta.loads where source_table = ? and status = 'accepted' order by load_id",
            [TABLE],
        ).fetchall()
        ids, n = [], 0
        for load_id, r in loads:
            if n >= rows:
                break
            ids.append(load_id)
            n += r
        t = time.perf_counter()
        ok_sql = quality_sql.passes(con, contract, ids)
        sql_s = time.perf_counter() - t
        t = time.perf_counter()
        cols = ", ".join(f'"{c}"' for c in contract.column_names)
        df = con.execute(
            f"select {cols}, _row_number from raw.{TABLE} where _load_id in ({', '.join(map(str, ids))})"
        ).df()
        fetch_s = time.perf_counter() - t
        ok_ge = quality._run_suite(TABLE, df).success
        ge_s = time.perf_counter() - t
    finally:
        con.close()
    return {
        "rows": n,
        "loads": len(ids),
        "expectations": len(quality_sql.suite(TABLE)),
        "duckdb_seconds": sql_s,
        "duckdb_passed": ok_sql,
        "ge_seconds": ge_s,
        "ge_dataframe_fetch_seconds": fetch_s,
        "ge_passed": ok_ge,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    r = measure(a.db, a.rows)
    print(
        f"gate on {r['rows']:,} rows ({r['loads']} loads, {r['expectations']} expectations): "
        f"DuckDB {r['duckdb_seconds']:.2f}s (passed {r['duckdb_passed']}), "
        f"GE on pandas {r['ge_seconds']:.1f}s incl. {r['ge_dataframe_fetch_seconds']:.1f}s to build the "
        f"DataFrame (passed {r['ge_passed']})"
    )
    if a.json:
        a.json.write_text(json.dumps(r))


if __name__ == "__main__":
    sys.exit(main())
