"""The plain CSV reader plus pseudonymisation: the columns a contract lists under ``pseudonymise``
are replaced by their keyed hash (warehouse/pseudonymise.py) before anything is written to raw."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse import pseudonymise
from warehouse.contracts import Contract
from warehouse.sources import register
from warehouse.sources.csv_file import read_csv

UDF = "pcp_pseudonym"


def _install_udf(con: duckdb.DuckDBPyConnection) -> None:
    secret = pseudonymise.key()  # read once per file, not per row

    def udf(col: pa.Array) -> pa.Array:
        return pa.array(pseudonymise.pseudonyms(col.to_pylist(), secret), type=pa.string())

    try:
        con.remove_function(UDF)
    except duckdb.Error:
        pass
    con.create_function(UDF, udf, [duckdb.sqltype("VARCHAR")], duckdb.sqltype("VARCHAR"), type="arrow",
                        side_effects=False)


@register("pseudonymised_csv")
def read_pseudonymised_csv(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract) -> duckdb.DuckDBPyRelation:
    rel = read_csv(con, path, contract)
    hide = set(contract.meta.get("pseudonymise") or [])
    unknown = hide - set(contract.column_names)
    if unknown:
        raise KeyError(f"contract {contract.table}: pseudonymise names unknown column(s) {sorted(unknown)}")
    _install_udf(con)
    cols = ", ".join(f'{UDF}("{c}"::varchar) as "{c}"' if c in hide else f'"{c}"' for c in contract.column_names)
    # Materialised, so each id is hashed once rather than once per query the loader runs on it.
    table = rel.query("t", f"select {cols}, _row_number from t").to_arrow_table()
    return con.from_arrow(table)
