"""The pack as a PDF for the agenda papers (reportlab; A4 landscape; the same content as the HTML).

Page one is the summary, the milestone table follows at once, then the charts four to a page, the
latest figures, the domain tables, partnerships, notes, quotes and the numbered sources. Column
widths are computed so that no word is split across lines.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from warehouse.report.tables import STATUS_RAG, TINT, display

STYLES = getSampleStyleSheet()
SIZE = 7
CELL = ParagraphStyle("cell", parent=STYLES["BodyText"], fontSize=SIZE, leading=SIZE + 1.5, splitLongWords=0)
CELL_R = ParagraphStyle("cellr", parent=CELL, alignment=2)
HEAD = ParagraphStyle("head", parent=CELL, textColor=colors.white, fontName="Helvetica-Bold")
HEAD_R = ParagraphStyle("headr", parent=HEAD, alignment=2)
BODY = ParagraphStyle("body", parent=STYLES["BodyText"], fontSize=9, leading=11.5)
FOOT = ParagraphStyle("foot", parent=STYLES["BodyText"], fontSize=7, leading=9, textColor=colors.HexColor("#444444"))
H2 = ParagraphStyle("h2", parent=STYLES["Heading2"], fontSize=12, spaceBefore=6, spaceAfter=3)
H3 = ParagraphStyle("h3", parent=STYLES["Heading3"], fontSize=9.5, spaceBefore=5, spaceAfter=2)
BANNER = ParagraphStyle(
    "banner",
    parent=BODY,
    backColor=colors.HexColor("#fff3cd"),
    borderColor=colors.HexColor("#8a5a00"),
    borderWidth=1.2,
    borderPadding=4,
    fontName="Helvetica-Bold",
)
WIDTH = landscape(A4)[0] - 24 * mm
PAD = 6  # points of cell padding left + right


def _words(text: str, font: str) -> tuple[float, float]:
    """(widest word, widest line) of ``text`` in points."""
    lines = str(text).split("\n") or [""]
    word = max((stringWidth(w, font, SIZE) for ln in lines for w in ln.split()), default=0)
    line = max(stringWidth(ln, font, SIZE) for ln in lines)
    return word, line


def widths(cells: list[list[str]], total: float = WIDTH, share: dict[int, float] | None = None) -> list[float]:
    """Column widths that fit ``total``: each at least its widest word (header included, so no word
    is split), the rest shared in proportion to how much each column's text would still wrap, or to
    ``share`` (column index -> fraction of the width) where given."""
    n = len(cells[0])
    if share:
        need = [
            max(_words(row[j], "Helvetica-Bold" if r == 0 else "Helvetica")[0] for r, row in enumerate(cells)) + PAD
            for j in range(n)
        ]
        want = [max(need[j], share.get(j, 0) * total) for j in range(n)]
        return [w * total / sum(want) for w in want]
    need, want = [0.0] * n, [0.0] * n
    for r, row in enumerate(cells):
        font = "Helvetica-Bold" if r == 0 else "Helvetica"
        for j, text in enumerate(row):
            w, ln = _words(text, font)
            need[j] = max(need[j], w + PAD)
            want[j] = max(want[j], min(ln, 260) + PAD)
    if sum(need) >= total:
        return [total * x / sum(need) for x in need]
    spare = total - sum(need)
    extra = [max(0.0, w - m) for w, m in zip(want, need)]
    if sum(extra) <= spare:
        free = spare - sum(extra)
        return [m + e + free / n for m, e in zip(need, extra)]
    return [m + spare * e / sum(extra) for m, e in zip(need, extra)]


MILESTONE_SHARE = {
    "Milestone": 0.05,
    "Commitment": 0.25,
    "Baseline": 0.075,
    "Target": 0.085,
    "Latest": 0.12,
    "England and Wales": 0.07,
    "Peer group": 0.045,
    "Status": 0.1,
    "Reason": 0.205,
}


def _table(
    df: pd.DataFrame, units: dict[str, str] | None = None, total: float = WIDTH, share: dict[str, float] | None = None
) -> Table:
    units = units or {}
    num = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns]
    text = [[str(c) for c in df.columns]]
    for rec in df.itertuples(index=False):
        text.append([display(v, units.get(c) or units.get("*")) for c, v in zip(df.columns, rec)])
    data = [[Paragraph(escape(t), HEAD_R if num[j] else HEAD) for j, t in enumerate(text[0])]]
    for row in text[1:]:
        data.append(
            [Paragraph(escape(t).replace("\n", "<br/>"), CELL_R if num[j] else CELL) for j, t in enumerate(row)]
        )
    by_index = {list(df.columns).index(c): f for c, f in (share or {}).items() if c in df.columns}
    t = Table(data, colWidths=widths(text, total, by_index), repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1d4f91")),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD / 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD / 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    if "Status" in df.columns:
        j = list(df.columns).index("Status")
        for i, v in enumerate(df["Status"], start=1):
            rag = STATUS_RAG.get(str(v).split("\n")[0].split(" (")[0], "not measurable")
            style.append(("BACKGROUND", (j, i), (j, i), colors.HexColor("#" + TINT[rag])))
    t.setStyle(TableStyle(style))
    return t


def _charts(charts) -> list:
    """Charts two across, two down a page, each with its caption."""
    cells = []
    for c in charts:
        img = Image(io.BytesIO(c.png), width=WIDTH / 2 - 6 * mm, height=(WIDTH / 2 - 6 * mm) * 2.4 / 6.2)
        cells.append([img, Paragraph(escape(c.caption), FOOT)])
    rows = []
    for i in range(0, len(cells), 2):
        pair = cells[i : i + 2] + ([["", ""]] if len(cells[i : i + 2]) == 1 else [])
        rows.append(
            KeepTogether(
                Table(
                    [[pair[0][0], pair[1][0]], [pair[0][1], pair[1][1]]],
                    colWidths=[WIDTH / 2] * 2,
                    style=[
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 2),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
                        ("TOPPADDING", (0, 0), (-1, -1), 0),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                    ],
                )
            )
        )
    return rows


def write(path: Path, paper) -> Path:
    from warehouse.report.pack import SUPPRESSION_NOTE

    e = escape
    story = [Paragraph(e(paper.title), STYLES["Title"])]
    story += [Paragraph(e(s), BODY) for s in paper.subtitle]
    if paper.sample_banner:
        story += [Spacer(1, 6), Paragraph(e(paper.sample_banner), BANNER), Spacer(1, 4)]
    story.append(Paragraph("Summary", H2))
    if paper.counts:
        story.append(
            Paragraph(
                f"Status of the {sum(paper.counts.values())} milestones: "
                + ", ".join(f"<b>{n}</b> {e(k)}" for k, n in paper.counts.items()),
                BODY,
            )
        )
    story += [Paragraph("\u2022 " + e(s), BODY) for s in paper.summary]
    story.append(
        Paragraph(f"<b>How a status is decided:</b> {e(paper.status_rule)} The full rules are in the Notes.", FOOT)
    )
    if not paper.milestones.empty:
        story.append(Paragraph("Milestones", H2))
        story.append(_table(paper.milestones, share=MILESTONE_SHARE))
        story.append(
            Paragraph(
                "Numbers in square brackets refer to the numbered Sources at the end; full quotes are "
                "under Quotes. STALE marks a latest figure older than its reporting interval allows.",
                FOOT,
            )
        )
    if paper.charts:
        story.append(CondPageBreak(90 * mm))
        story.append(Paragraph("Milestones charted", H2))
        story.append(
            Paragraph(
                "Each chart: the force's figures (SAMPLE figures dashed with open squares), the mean and "
                "natural process limits (statistical process control), the target, the straight-line "
                "trajectory and the deadline. A break in the line is a gap in the data.",
                FOOT,
            )
        )
        story += _charts(paper.charts)
    story.append(CondPageBreak(60 * mm))
    story.append(Paragraph("Latest figures beside England and Wales and peers", H2))
    story.append(Paragraph(e(paper.key_note), FOOT))
    story.append(_table(paper.key_figures, {"*": None}))
    story.append(CondPageBreak(50 * mm))
    story.append(Paragraph("Figures by topic", H2))
    story.append(
        Paragraph(
            "Monthly feeds: the last 13 whole months and financial-year totals; snapshots and years: "
            "the last 8. The spreadsheet and CSV files hold every period.",
            FOOT,
        )
    )
    for name, df in paper.domains.items():
        story.append(CondPageBreak(30 * mm))
        story.append(Paragraph(e(name[:1].upper() + name[1:].replace("_", " ")), H3))
        story.append(_table(df))
    if paper.partnerships:
        story.append(CondPageBreak(60 * mm))
        story.append(Paragraph("By community safety partnership", H2))
        story.append(Paragraph(e(SUPPRESSION_NOTE), FOOT))
        for domain, (month, df) in paper.partnerships.items():
            story.append(
                KeepTogether(
                    [
                        Paragraph(f"{e(domain.replace('_', ' ').capitalize())}, {e(month)}", H3),
                        _table(df, total=WIDTH * 0.75),
                    ]
                )
            )
    story.append(CondPageBreak(40 * mm))
    story.append(Paragraph("Notes", H2))
    story.append(
        Paragraph(
            "Data quality by source and every measure's definition are in the spreadsheet "
            "(Notes sheet) and the HTML pack.",
            FOOT,
        )
    )
    story.append(_table(paper.paper_notes))
    story.append(CondPageBreak(40 * mm))
    story.append(Paragraph("Quotes", H2))
    story.append(_table(paper.quotes))
    story.append(CondPageBreak(40 * mm))
    story.append(Paragraph("Sources", H2))
    story += [Paragraph(e(s), FOOT) for s in paper.sources]
    tmp = path.with_suffix(".pdf.tmp")
    doc = SimpleDocTemplate(
        str(tmp),
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=10 * mm,
        bottomMargin=12 * mm,
        title=paper.title,
        author="pcp warehouse",
        invariant=1,
    )
    doc.build(story, onFirstPage=_page, onLaterPages=_page)
    tmp.replace(path)
    return path


def _page(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.drawRightString(landscape(A4)[0] - 12 * mm, 6 * mm, f"Page {doc.page}")
    canvas.drawString(12 * mm, 6 * mm, doc.title)
    canvas.restoreState()
