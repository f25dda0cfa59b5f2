"""The pack as one workbook: milestones, one sheet per domain, notes. No formulas; values only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from warehouse.reports.tables import RAG_FILL, neutralise

HEADER_FILL = PatternFill("solid", fgColor="1D4F91")
WRAP = {"Statement", "Source"}


def _sheet(wb: Workbook, title: str, df: pd.DataFrame, footnotes: list[str]) -> None:
    ws = wb.create_sheet(title[:31])
    cols = list(df.columns)
    ws.append([neutralise(str(c)) for c in cols])
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in df.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A2"
    for i, c in enumerate(cols, start=1):
        letter = get_column_letter(i)
        values = [str(c)] + [str(v) for v in df[c].head(200).tolist()]
        width = min(60 if c in WRAP else 28, max(10, max(len(v) for v in values) + 2))
        ws.column_dimensions[letter].width = width
        for cell in ws[letter][1:]:
            if isinstance(cell.value, (dt.date, dt.datetime)):
                cell.number_format = "dd mmm yyyy"
            elif isinstance(cell.value, float):
                cell.number_format = "#,##0.0" if "%" in str(c) or "pct" in str(c) else "#,##0.##"
            elif isinstance(cell.value, int):
                cell.number_format = "#,##0"
            if c in WRAP:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if c == "RAG":
            for cell in ws[letter][1:]:
                fill = RAG_FILL.get(str(cell.value))
                if fill:
                    cell.fill = PatternFill("solid", fgColor=fill)
                    cell.font = Font(bold=True, color="FFFFFF" if cell.value != "amber" else "000000")
    r = ws.max_row + 2
    for note in footnotes:
        ws.cell(row=r, column=1, value=neutralise(note)).font = Font(italic=True, size=9)
        r += 1


def _cell(v):
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    return neutralise(v)


def write(path: Path, sheets: dict[str, pd.DataFrame], footnotes: list[str], notes: pd.DataFrame,
          as_at: dt.date) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for title, df in sheets.items():
        _sheet(wb, title, df, footnotes)
    _sheet(wb, "Notes", notes, [])
    # Fixed document dates so the same inputs give the same workbook content.
    stamp = dt.datetime.combine(as_at, dt.time())
    wb.properties.created = stamp
    wb.properties.modified = stamp
    wb.properties.creator = "pcp warehouse"
    tmp = path.with_suffix(".xlsx.tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path
