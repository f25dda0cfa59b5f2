"""Home Office "Police workforce, England and Wales, 30 September <year>" data tables (ODS).

Presentation spreadsheets: a title in A1, a unit note ("Full-time equivalents" / "Headcount"), a header
row of snapshot dates (30 Sep of the previous year, 31 Mar, 30 Sep), change columns, then one row per
English region subtotal, the 43 forces under their region, "Total 43 forces", "Central Service
Secondments", "British Transport Police" and "Total", and footnotes under the table. Sheet names and
numbers differ per year (PCSOs are Table_3 up to 2017 and Table_5 from 2018), so sheets are chosen by
their title, not their name.

Out comes one tidy row per snapshot x force x worker type x measure for the officers, PCSOs and
special constables sheets, plus the published "Total 43 forces" rows with ``is_total_row`` true and
area_code K04000001: they are kept to reconcile against, never summed into marts. Region subtotals,
secondments, British Transport Police and the grand total are not police force areas and are left out.
Footnote markers ("Wiltshire1", "30 September 20122") are stripped; ".." (not available) becomes a NULL
value, never a zero. A name that is not a known force
stops the load, naming the file, sheet and row.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb

from warehouse.core import reference
from warehouse.core.contracts import Contract
from warehouse.core.errors import ContractError
from warehouse.ingest.readers import register
from warehouse.ingest.readers.hate_crime_ods import _cell, _text

ENGLAND_AND_WALES = "K04000001"
# "Table 1: Police officers by police force area, ..." -> worker type. Volunteers, staff and
# designated officers are not read (the open-data table covers them at 31 March).
SHEET_KINDS = (
    (re.compile(r"^Table \d+: Police officers\d* by police force area"), "officer"),
    (re.compile(r"^Table \d+: Police community support officers\d* by police force area"), "pcso"),
    (re.compile(r"^Table \d+: Special constables\d* by police force area"), "special_constable"),
)
UNITS = {"Full-time equivalents": "fte", "Headcount": "headcount"}
REGIONS = {
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "Eastern",
    "London",
    "South East",
    "South West",
    "Wales",
}
NOT_FORCES = {"Central Service Secondments", "British Transport Police", "Total"}
TOTAL_43 = "Total 43 forces"
NOT_AVAILABLE = ".."  # the Home Office's "not available" (Norfolk PCSOs in the sep19 tables): a NULL value
MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        1,
    )
}
TEXT_DATE = re.compile(r"^(\d{1,2}) (" + "|".join(MONTHS) + r") (\d{4})[\d,]*$")  # trailing footnote digits
FOOTNOTE = re.compile(r"(?<=[A-Za-z)])\d+(,\d+)*$")  # "Wiltshire1", "Derbyshire1,2"


def force_codes() -> dict[str, str]:
    """Force name -> area code: the one alias table (reference.aliases, seeds/reference/force_aliases.csv)
    the gate and staging use, less names that have no police force area (British Transport Police)."""
    return {name: code for name, code in reference.aliases().items() if code}


def _label(v) -> str:
    return FOOTNOTE.sub("", " ".join(_text(v).split()))


def _snapshot(v) -> dt.date | None:
    """A header cell as a date: a real date cell, or text like '30 September 20152' (footnote 2)."""
    import pandas as pd

    if isinstance(v, (dt.datetime, pd.Timestamp)):
        return v.date()
    if isinstance(v, dt.date):
        return v
    m = TEXT_DATE.match(" ".join(_text(v).split()))
    if m:
        year = m.group(3)
        return dt.date(int(year), MONTHS[m.group(2)], int(m.group(1)))
    return None


def _kind(grid) -> tuple[str, str] | None:
    """(worker_type, measure) of a sheet, or None if it is not one this reader takes."""
    title = _text(grid.iat[0, 0]) if grid.size else ""
    worker = next((w for pat, w in SHEET_KINDS if pat.match(title)), None)
    if worker is None:
        return None
    notes = {_text(v) for v in grid.iloc[:6].to_numpy().ravel()}
    found = [m for text, m in UNITS.items() if text in notes]
    measure = "headcount" if "(headcount)" in title else (found[0] if len(found) == 1 else None)
    return worker, measure


def _read_sheet(path: Path, sheet: str, grid, worker: str, measure: str, codes: dict[str, str]) -> list[dict]:
    where = f"{path.name}, sheet {sheet}"
    header = next(
        (
            r
            for r in range(min(12, len(grid)))
            if sum(_snapshot(grid.iat[r, c]) is not None for c in range(1, grid.shape[1])) >= 2
        ),
        None,
    )
    if header is None:
        raise ContractError(f"{where}: no header row of snapshot dates (e.g. 30 September 2019) in the first 12 rows")
    dates = {c: d for c in range(1, grid.shape[1]) if (d := _snapshot(grid.iat[header, c])) is not None}
    bad = [d for d in dates.values() if (d.month, d.day) not in ((3, 31), (9, 30))]
    if bad:
        raise ContractError(
            f"{where}: header row {header + 1} has snapshot date {bad[0]}, expected 31 March or 30 September"
        )

    out, seen_regions, seen = [], set(), {}
    for r in range(header + 1, len(grid)):
        label = _label(grid.iat[r, 0])
        if not label:
            if out:
                break  # the blank row under the table: footnotes follow
            continue
        if label in REGIONS and label not in seen_regions:  # first "West Midlands" is the region
            seen_regions.add(label)
            continue
        if label in NOT_FORCES:
            continue
        if label == TOTAL_43:
            code, is_total = ENGLAND_AND_WALES, True
        elif label in codes:
            code, is_total = codes[label], False
        else:
            raise ContractError(
                f"{where}: row {r + 1}: {_text(grid.iat[r, 0])!r} in column A is not a known police force "
                f"(expected a name in seeds/reference/force_aliases.csv, an English region, {TOTAL_43!r}, or one of "
                f"{sorted(NOT_FORCES)})"
            )
        if code in seen:
            raise ContractError(f"{where}: row {r + 1}: {label!r} appears twice (first at row {seen[code]})")
        seen[code] = r + 1
        for c, snapshot in dates.items():
            v = grid.iat[r, c]
            if _text(v) == NOT_AVAILABLE:
                v = None
            elif isinstance(v, bool) or not isinstance(v, (int, float)) or v != v or v < 0:
                raise ContractError(
                    f"{where}: cell {_cell(r, c)} ({label}, {snapshot}) is {_text(v)!r}, "
                    f"expected a number of {measure} or '{NOT_AVAILABLE}' (not available)"
                )
            out.append(
                {
                    "snapshot_date": snapshot,
                    "force_name": label,
                    "area_code": code,
                    "worker_type": worker,
                    "measure": measure,
                    "value": None if v is None else float(v),
                    "is_total_row": is_total,
                    "sheet": sheet,
                    "_row_number": r + 1,
                }
            )
    forces = [c for c in seen if c != ENGLAND_AND_WALES]
    if len(forces) != 43 or ENGLAND_AND_WALES not in seen:
        missing = sorted(set(codes.values()) - set(forces))
        raise ContractError(
            f"{where}: expected 43 forces and a {TOTAL_43!r} row, found {len(forces)} forces"
            f"{' (missing ' + ', '.join(missing) + ')' if missing else ''} and "
            f"{'a' if ENGLAND_AND_WALES in seen else 'no'} total row"
        )
    return out


@register("home_office_workforce_tables")
def read_workforce_tables(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract) -> duckdb.DuckDBPyRelation:
    import pandas as pd

    try:
        # keep_default_na=False: text such as "n/a" stays text, so an error can quote it
        sheets = pd.read_excel(path, sheet_name=None, header=None, engine="odf", keep_default_na=False)
    except Exception as e:  # noqa: BLE001 - odfpy/zipfile raise many kinds for a broken file
        raise ContractError(f"{path.name}: not a readable ODS spreadsheet ({type(e).__name__}: {e})") from None
    codes = force_codes()
    rows, kinds = [], {}
    for name, grid in sheets.items():
        kind = _kind(grid)
        if kind is None:
            continue
        if kind[1] is None:
            raise ContractError(
                f"{path.name}, sheet {name}: no unit note ('Full-time equivalents' or 'Headcount') in the first 6 rows"
            )
        if kind in kinds:
            raise ContractError(f"{path.name}: sheets {kinds[kind]} and {name} both hold {kind[0]} {kind[1]}")
        kinds[kind] = name
        rows += _read_sheet(path, name, grid, *kind, codes)
    needed = [("officer", "fte"), ("pcso", "fte"), ("special_constable", "headcount")]
    missing = [f"{w} {m}" for w, m in needed if (w, m) not in kinds]
    if missing:
        raise ContractError(
            f"{path.name}: no sheet of {', '.join(missing)} (sheets: {', '.join(sheets)}); "
            f"expected the Home Office September workforce tables, titled e.g. "
            f"'Table 1: Police officers by police force area ...'"
        )
    # _row_number is the row in its sheet (sheet is a column), as a reader of the spreadsheet sees it.
    return con.from_df(pd.DataFrame(rows))
