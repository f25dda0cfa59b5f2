"""The pack as one workbook: milestones, latest figures, one sheet per domain, partnerships, a native
Excel chart per measured milestone, notes and the numbered sources. Values only, no formulas.

Every sheet has a frozen, filterable header row and prints landscape on A4, fit to the page width,
repeating its header row. The same inputs give the same bytes: fixed document dates and fixed zip
entry times.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties

from warehouse.report.charts import _tick_label
from warehouse.report.tables import RAG_FILL, STATUS_RAG, neutralise

HEADER_FILL = PatternFill("solid", fgColor="1D4F91")
WRAP_WIDTH = {
    "Commitment": 36,
    "Reason": 40,
    "Quote": 50,
    "Note": 90,
    "Title": 60,
    "Measure": 36,
    "Source document": 40,
    "Stale": 18,
    "Licence": 30,
    "Bundled file": 45,
    "Topic": 32,
}
LINE_HEIGHT = 12.0  # points per wrapped line at the default 11 pt font
DATE_FORMAT = "d mmm yyyy"
INT_FORMAT = "#,##0"
DEC_FORMAT = "#,##0.0"
# The Milestones sheet prints its reading columns (Milestone .. SAMPLE); the rest stay on screen.
MILESTONE_PRINT_LAST = "SAMPLE"
PRINT_MONTHS = 13
CHART_ROWS = 15  # rows per chart on the Charts sheet (6.8 cm plus a gap; two to a printed page)


def _cell(v):
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    return neutralise(v)


def _print_setup(ws, last_col: int, last_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"
    ws.print_area = f"A1:{get_column_letter(last_col)}{last_row}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = "&A, page &P of &N"


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
    last_row = ws.max_row
    ws.freeze_panes = "B2"
    if len(df):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{last_row}"
    for i, c in enumerate(cols, start=1):
        letter = get_column_letter(i)
        values = [str(c)] + [str(v) for v in df[c].head(200).tolist() if v is not None]
        longest_word = max((len(w) for v in values for w in v.split()), default=6)
        width = WRAP_WIDTH.get(str(c)) or min(24, max(9, longest_word + 2, max(len(v) for v in values) + 2))
        ws.column_dimensions[letter].width = width
        for cell in ws[letter][1:]:
            v = cell.value
            if isinstance(v, (dt.date, dt.datetime)):
                cell.number_format = DATE_FORMAT
            elif isinstance(v, bool):
                pass
            elif isinstance(v, int) or (isinstance(v, float) and v.is_integer()):
                cell.number_format = INT_FORMAT
            elif isinstance(v, float):
                cell.number_format = DEC_FORMAT
            cell.alignment = Alignment(wrap_text=str(c) in WRAP_WIDTH, vertical="top")
        if c in ("RAG", "Status"):
            for cell in ws[letter][1:]:
                fill = RAG_FILL.get(STATUS_RAG.get(str(cell.value), str(cell.value)))
                if fill:
                    cell.fill = PatternFill("solid", fgColor=fill)
                    cell.font = Font(bold=True, color="000000" if fill == RAG_FILL["amber"] else "FFFFFF")
    # Row heights set from the wrapped text: not every reader re-measures rows when it opens a file.
    wrapped = [(i, WRAP_WIDTH[str(c)]) for i, c in enumerate(cols) if str(c) in WRAP_WIDTH]
    if wrapped:
        for r_idx, row in enumerate(df.itertuples(index=False), start=2):
            lines = max(-(-len(str(row[i] or "")) // max(1, int(w * 1.1))) for i, w in wrapped)
            if lines > 1:
                ws.row_dimensions[r_idx].height = LINE_HEIGHT * lines + 3
    last_col = (
        cols.index(MILESTONE_PRINT_LAST) + 1 if title == "Milestones" and MILESTONE_PRINT_LAST in cols else len(cols)
    )
    r = last_row + 2
    print_last = None
    if "Month end" in cols and len(df):
        # partnership sheets (newest month first) print the latest 13 months; the sheet holds them all
        recent = set(sorted(df["Month end"].unique(), reverse=True)[:PRINT_MONTHS])
        shown = int(df["Month end"].isin(recent).sum())
        if shown < len(df):
            print_last = 1 + shown
            footnotes = [
                f"Printing covers the latest {PRINT_MONTHS} months (rows 2 to {print_last}); every month is on screen.",
                *footnotes,
            ]
    for note in footnotes:
        ws.cell(row=r, column=1, value=neutralise(note)).font = Font(italic=True, size=9)
        r += 1
    _print_setup(ws, max(1, last_col), print_last or r - 1)


def _charts(wb: Workbook, charts) -> None:
    """A 'Chart data' sheet (one block per chart) and a 'Charts' sheet with a native line chart per
    measured milestone: force figures, SAMPLE figures, mean, process limits, target, trajectory.
    A blank row between segments leaves a data gap as a gap."""
    if not charts:
        return
    data = wb.create_sheet("Chart data")
    view = wb.create_sheet("Charts", index=1)
    view["A1"] = "One chart per measured milestone; the figures are on the 'Chart data' sheet."
    header = [
        "Period",
        "Force figures",
        "SAMPLE figures",
        "Mean",
        "Lower process limit",
        "Upper process limit",
        "Target",
        "Trajectory",
    ]
    row = 1
    for n, c in enumerate(charts):
        data.cell(row=row, column=1, value=c.title).font = Font(bold=True)
        top = row + 1
        for j, h in enumerate(header, start=1):
            data.cell(row=top, column=j, value=h).font = Font(bold=True)
        r = top
        p = c.points.sort_values("period_end")
        seg_prev = None
        ptype = c.points["period_type"].iloc[0] if "period_type" in c.points.columns else None
        for rec in p.to_dict("records"):
            seg = rec.get("segment", 0)
            if seg_prev is not None and seg != seg_prev:
                r += 1  # the gap between segments
            seg_prev = seg
            r += 1
            sample = bool(rec.get("is_sample"))
            vals = [
                _tick_label(pd.Timestamp(rec["period_end"]), ptype),
                None if sample else rec.get("value"),
                rec.get("value") if sample else None,
                rec.get("mean"),
                rec.get("lower_limit"),
                rec.get("upper_limit"),
                rec.get("target_value"),
                rec.get("trajectory_value"),
            ]
            for j, v in enumerate(vals, start=1):
                data.cell(row=r, column=j, value=_cell(v))
        ch = LineChart()
        ch.title = c.title
        ch.y_axis.title = c.unit
        ch.height, ch.width = 6.8, 22
        ch.display_blanks = "gap"
        used = [
            j for j in range(2, 9) if any(data.cell(row=i, column=j).value is not None for i in range(top + 1, r + 1))
        ]
        for j in used:
            ch.add_data(Reference(data, min_col=j, min_row=top, max_row=r), titles_from_data=True)
        ch.set_categories(Reference(data, min_col=1, min_row=top + 1, max_row=r))
        styles = {
            "Force figures": ("1D4F91", "solid", "circle"),
            "SAMPLE figures": ("8A5A00", "dash", "square"),
            "Mean": ("555555", "solid", None),
            "Lower process limit": ("555555", "sysDash", None),
            "Upper process limit": ("555555", "sysDash", None),
            "Target": ("000000", "dashDot", None),
            "Trajectory": ("000000", "sysDot", None),
        }
        for s, j in zip(ch.series, used):
            colour, dash, marker = styles[header[j - 1]]
            s.graphicalProperties.line.solidFill = colour
            s.graphicalProperties.line.prstDash = dash
            s.graphicalProperties.line.width = 19050 if j <= 3 else 12700
            s.smooth = False
            s.marker.symbol = marker or "none"
            if marker:
                s.marker.size = 5
                s.marker.graphicalProperties.solidFill = colour if marker == "circle" else "FFFFFF"
                s.marker.graphicalProperties.line.solidFill = colour
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        ch.legend.position = "r"
        view.add_chart(ch, f"A{3 + n * CHART_ROWS}")
        if n % 2 == 1:
            view.row_breaks.append(Break(id=2 + (n + 1) * CHART_ROWS))  # two charts to a printed page
        row = r + 3
    data.column_dimensions["A"].width = 40
    # the charts' own columns only (22 cm is 13 default columns), so no blank page is printed beside them
    view.print_area = f"A1:M{2 + (len(charts) + 1) // 2 * 2 * CHART_ROWS}"
    for ws in (view, data):
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def write(
    path: Path,
    sheets: dict[str, pd.DataFrame],
    footnotes: list[str],
    notes: pd.DataFrame,
    sources: pd.DataFrame,
    charts,
    as_at: dt.date,
    title: str,
) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        _sheet(wb, name[:1].upper() + name[1:].replace("_", " "), df, footnotes)
    _charts(wb, charts)
    _sheet(wb, "Notes", notes, [])
    _sheet(wb, "Sources", sources, [])
    stamp = dt.datetime.combine(as_at, dt.time())
    wb.properties.created = stamp
    wb.properties.creator = "pcp warehouse"
    wb.properties.title = title
    buf = io.BytesIO()
    wb.save(buf)
    tmp = path.with_suffix(".xlsx.tmp")
    tmp.write_bytes(_deterministic(buf.getvalue(), stamp))
    tmp.replace(path)
    return path


def _deterministic(xlsx: bytes, stamp: dt.datetime) -> bytes:
    """The workbook with openpyxl's save-time 'modified' date and the zip entry times fixed to ``stamp``."""
    out = io.BytesIO()
    when = f"{stamp:%Y-%m-%dT%H:%M:%SZ}"
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>" + when.encode() + rb"\g<2>", body
                )
            entry = zipfile.ZipInfo(info.filename, date_time=(stamp.year, stamp.month, stamp.day, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, body)
    return out.getvalue()
