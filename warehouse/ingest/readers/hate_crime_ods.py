"""Home Office hate crime bulletin tables (ODS), sheet Table_2: hate crimes by monitored strand,
England and Wales, one column per financial year.

The sheet is a presentation table: a title row, a header row whose year labels carry footnote
markers ("2017/183" is 2017/18 with footnote 3), blank spacer rows, a "% change" column and
footnotes under the table. The reader finds the header row by its first cell, keeps the year columns
(footnote digits after "YYYY/YY" dropped), ignores the derived "% change" column, and returns one row
per year x strand line. A blank cell means the bulletin gives no figure (total offences 2011/12): it
becomes a NULL count, never a zero. Anything else that is not a whole number stops the load, naming
the sheet cell.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from warehouse.core.contracts import Contract
from warehouse.core.errors import ContractError
from warehouse.ingest.readers import register

SHEET = "Table_2"
TITLE = "Table 2: Hate crimes recorded by the police"
HEADER_CELL = "Hate crime strand"
YEAR = re.compile(r"^(\d{4})/(\d{2})(\d*)$")  # group 3 = footnote marker
LINES = {  # row label in the sheet -> measure id
    "Race": "race",
    "Religion": "religion",
    "Sexual orientation": "sexual_orientation",
    "Disability": "disability",
    "Transgender": "transgender",
    "Total number of motivating factors": "motivating_factors",
    "Total number of offences": "offences",
}


def _cell(r: int, c: int) -> str:
    """Spreadsheet address of a 0-based (row, column): (3, 8) -> I4."""
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"


def _text(v) -> str:
    import pandas as pd

    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v).strip()


@register("hate_crime_table_2_ods")
def read_table_2(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract) -> duckdb.DuckDBPyRelation:
    import pandas as pd

    where = f"{path.name}, sheet {SHEET}"
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="odf")
    except Exception as e:  # noqa: BLE001 - odfpy/zipfile raise many kinds for a broken file
        raise ContractError(f"{path.name}: not a readable ODS spreadsheet ({type(e).__name__}: {e})") from None
    if SHEET not in sheets:
        raise ContractError(
            f"{path.name}: no sheet {SHEET!r} (found {', '.join(sheets)}); expected the "
            f"Home Office hate crime bulletin tables"
        )
    grid = sheets[SHEET]
    title = _text(grid.iat[0, 0]) if grid.size else ""
    if not title.startswith(TITLE):
        raise ContractError(f"{where}: cell A1 is {title[:80]!r}, expected a title starting {TITLE!r}")

    head = [r for r in range(len(grid)) if _text(grid.iat[r, 0]) == HEADER_CELL]
    if len(head) != 1:
        raise ContractError(f"{where}: expected one header row whose column A is {HEADER_CELL!r}, found {len(head)}")
    h = head[0]
    years: dict[int, str] = {}
    for c in range(1, grid.shape[1]):
        label = _text(grid.iat[h, c])
        if label.startswith("% change") or not label:
            continue
        m = YEAR.match(label)
        if not m or int(m.group(2)) != (int(m.group(1)) + 1) % 100:
            raise ContractError(
                f"{where}: header cell {_cell(h, c)} is {label!r}, expected a financial year "
                f"like '2018/19' (a footnote digit after it is allowed, e.g. '2017/183')"
            )
        years[c] = f"{m.group(1)}/{m.group(2)}"

    rows_at: dict[str, int] = {}
    for r in range(h + 1, len(grid)):
        label = _text(grid.iat[r, 0])
        if label in LINES:
            if label in rows_at:
                raise ContractError(f"{where}: row label {label!r} appears twice (A{rows_at[label] + 1}, A{r + 1})")
            rows_at[label] = r
    missing = [k for k in LINES if k not in rows_at]
    if missing:
        raise ContractError(
            f"{where}: row label(s) {missing} not found in column A under the header "
            f"(row {h + 1}); expected {list(LINES)}"
        )

    out = []
    for label, r in rows_at.items():
        for c, year in years.items():
            v = grid.iat[r, c]
            text = _text(v)
            if text == "":
                count = None
            elif isinstance(v, (int, float)) and float(v).is_integer() and v >= 0:
                count = int(v)
            else:
                raise ContractError(
                    f"{where}: cell {_cell(r, c)} ({label}, {year}) is {text!r}, "
                    f"expected a whole number of crimes or a blank cell"
                )
            out.append(
                {
                    "financial_year": year,
                    "measure": LINES[label],
                    "row_label": label,
                    "crimes": count,
                    "_row_number": r + 1,
                }
            )
    df = pd.DataFrame(out).astype({"crimes": "Int64"})
    return con.from_df(df)
