"""CSV files as publishers write them: headers with spaces ("Crime ID", "Total Religion"), numbers with
thousands separators ("2,407,600") and spreadsheet error text ("#N/A").

Each contract column may say, under ``config.meta``:
- ``header``: the column's name in the file (default: the contract name). The header must match these
  names exactly and in order, as for the plain CSV reader.
- ``thousands_separator: true``: a whole number written with comma groups ("2,407,600") is read as
  2407600. Anything else (other than ``na_text``) is refused with its row and value.
- ``na_text``: exact text (or list of texts) meaning "no figure", e.g. ``"#N/A"``; it becomes NULL, so
  the column must also be ``nullable: true``. Any other text in a number column is refused by the loader.
Nothing else is converted: the raw table keeps the figure the publisher wrote.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.core.contracts import Contract
from warehouse.core.errors import ContractError
from warehouse.ingest.readers import register
from warehouse.ingest.readers.csv_file import check_header, read_text

WHOLE_NUMBER = r"^([0-9]+|[0-9]{1,3}(,[0-9]{3})+)$"  # 2407600 or 2,407,600


def _na_texts(meta: dict) -> list[str]:
    na = meta.get("na_text")
    return [] if na is None else [na] if isinstance(na, str) else list(na)


@register("published_csv")
def read_published_csv(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract) -> duckdb.DuckDBPyRelation:
    rel, header = read_text(con, path, contract)
    in_file = [c.meta.get("header", c.name) for c in contract.columns]
    check_header(path, header, contract, expected=in_file)
    numbered = rel.query("t", "select *, row_number() over () as _row_number from t")
    exprs = []
    for i, c in enumerate(contract.columns):
        v = f"c{i}"
        na = _na_texts(c.meta)
        if na:
            quoted = ", ".join("'" + t.replace("'", "''") + "'" for t in na)
            v = f"case when {v} in ({quoted}) then null else {v} end"
        if c.meta.get("thousands_separator"):
            bad = numbered.query(
                "t",
                f"select _row_number, {v} from t where not regexp_full_match({v}, '{WHOLE_NUMBER}') order by 1 limit 5",
            ).fetchall()
            if bad:
                samples = "; ".join(f"row {r}: {x!r}" for r, x in bad)
                raise ContractError(
                    f"{path.name}: column {in_file[i]!r} ({c.name}) expects a whole number, optionally with "
                    f"comma thousands separators like '2,407,600'{' or ' + ' or '.join(na) if na else ''}; "
                    f"found {samples}"
                )
            v = f"replace({v}, ',', '')"
        exprs.append(f'{v} as "{c.name}"')
    return numbered.query("t", f"select {', '.join(exprs)}, _row_number from t")
