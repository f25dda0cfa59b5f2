"""The pack as a PDF for the agenda papers (reportlab; A4 landscape; same content as the HTML)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table,
                                TableStyle)
from xml.sax.saxutils import escape

from warehouse.reports.data import RAG_RULE
from warehouse.reports.tables import RAG_FILL, display

STYLES = getSampleStyleSheet()
SMALL = ParagraphStyle("small", parent=STYLES["BodyText"], fontSize=7, leading=8.5)
FOOT = ParagraphStyle("foot", parent=SMALL, textColor=colors.HexColor("#444444"), fontName="Helvetica-Oblique")
BANNER = ParagraphStyle("banner", parent=STYLES["BodyText"], backColor=colors.HexColor("#fff3cd"),
                        borderColor=colors.HexColor("#e0a800"), borderWidth=1, borderPadding=4, fontName="Helvetica-Bold")
MAX_ROWS = 24  # the PDF shows the most recent periods; the XLSX and CSV hold every row


def _table(df: pd.DataFrame, widths: dict[str, float] | None = None, units: dict[str, str] | None = None) -> Table:
    units = units or {}
    data = [[Paragraph(f"<b>{escape(str(c))}</b>", SMALL) for c in df.columns]]
    for rec in df.itertuples(index=False):
        data.append([Paragraph(escape(display(v, units.get(c))), SMALL) for c, v in zip(df.columns, rec)])
    total = landscape(A4)[0] - 24 * mm
    widths = widths or {}
    fixed = sum(widths.values())
    free = [c for c in df.columns if c not in widths]
    each = (total - fixed) / max(1, len(free))
    t = Table(data, colWidths=[widths.get(c, each) for c in df.columns], repeatRows=1)
    style = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1d4f91")),
             ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
             ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
             ("VALIGN", (0, 0), (-1, -1), "TOP")]
    data[0] = [Paragraph(f"<font color='white'><b>{escape(str(c))}</b></font>", SMALL) for c in df.columns]
    if "RAG" in df.columns:
        j = list(df.columns).index("RAG")
        for i, v in enumerate(df["RAG"], start=1):
            style.append(("BACKGROUND", (j, i), (j, i), colors.HexColor("#" + RAG_FILL.get(str(v), "9E9E9E"))))
    t.setStyle(TableStyle(style))
    return t


def write(path: Path, *, title: str, subtitle: str, sample_banner: str | None, summary: dict[str, int],
          milestones: pd.DataFrame, charts: list[tuple[str, bytes]], domains: dict[str, pd.DataFrame],
          footnotes: list[str], notes: pd.DataFrame) -> Path:
    story = [Paragraph(escape(title), STYLES["Title"]), Paragraph(escape(subtitle), STYLES["BodyText"])]
    if sample_banner:
        story += [Spacer(1, 4), Paragraph(escape(sample_banner), BANNER)]
    story.append(Spacer(1, 4))
    story.append(Paragraph("Status: " + ", ".join(f"<b>{v}</b> {escape(k)}" for k, v in summary.items()),
                           STYLES["BodyText"]))
    story.append(Paragraph("<b>RAG rule:</b> " + escape(RAG_RULE), SMALL))
    story.append(Spacer(1, 4))
    cols = [c for c in milestones.columns if c not in ("Source", "Metric")]
    story.append(_table(milestones[cols], {"Milestone": 16 * mm, "Statement": 58 * mm, "RAG": 18 * mm,
                                          "Status note": 48 * mm},
                        {"Progress %": "percent"}))
    story += [Paragraph(escape(x), FOOT) for x in footnotes]
    if charts:
        story.append(PageBreak())
        story.append(Paragraph("Trends against targets", STYLES["Heading2"]))
        for caption, png in charts:
            img = Image(io.BytesIO(png), width=150 * mm, height=65 * mm)
            story.append(KeepTogether([img, Paragraph(escape(caption), FOOT), Spacer(1, 4)]))
    for name, df in domains.items():
        story.append(PageBreak())
        story.append(Paragraph(escape(name.replace("_", " ").capitalize()), STYLES["Heading2"]))
        story.append(_table(df.head(MAX_ROWS)))
        if len(df) > MAX_ROWS:
            story.append(Paragraph(f"Most recent {MAX_ROWS} of {len(df)} rows; the spreadsheet and CSV hold all.", FOOT))
        story += [Paragraph(escape(x), FOOT) for x in footnotes]
    story.append(PageBreak())
    story.append(Paragraph("Notes", STYLES["Heading2"]))
    story.append(_table(notes, {"Topic": 45 * mm}))
    tmp = path.with_suffix(".pdf.tmp")
    doc = SimpleDocTemplate(str(tmp), pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title, author="pcp warehouse",
                            invariant=1)
    doc.build(story, onFirstPage=_page, onLaterPages=_page)
    tmp.replace(path)
    return path


def _page(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.drawRightString(landscape(A4)[0] - 12 * mm, 6 * mm, f"Page {doc.page}")
    canvas.drawString(12 * mm, 6 * mm, doc.title)
    canvas.restoreState()
