"""One self-contained HTML file: inline CSS and inline SVG charts, no scripts, no external requests.

Desktop: tables fit the page width (nothing cut at 1,400 px). Phone (up to 700 px): the milestone
table becomes one card per milestone with every field labelled, so status and reason are visible
without sideways scrolling; wide figure tables scroll inside their own box. Print: A4 landscape.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from warehouse.report.tables import RAG_FILL, STATUS_RAG, display

CSS = """
*{box-sizing:border-box}
body{overflow-wrap:break-word;font-family:-apple-system,'Segoe UI',Arial,sans-serif;margin:0 auto;max-width:1360px;padding:12px 16px;color:#1a1a1a;line-height:1.4}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin-top:1.6em;border-bottom:2px solid #1d4f91}
h3{font-size:1em;margin:1.2em 0 .3em}
.sample{background:#fff3cd;border:2px solid #8a5a00;padding:6px 10px;margin:8px 0;font-weight:bold}
.counts span{display:inline-block;padding:3px 9px;margin:2px;border-radius:3px;font-weight:bold;border:1px solid #333}
.summary li{margin:.2em 0}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;max-width:100%}
table{border-collapse:collapse;font-size:.8em;width:100%}
th{background:#1d4f91;color:#fff;text-align:left;padding:4px 5px;vertical-align:bottom}
td{border-bottom:1px solid #ccc;padding:4px 5px;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap}
td.status{font-weight:bold}
.st{display:inline-block;padding:1px 6px;border-radius:3px;border:1px solid #333;white-space:normal}
.small{display:block;font-size:.9em;color:#333;font-weight:normal;margin-top:2px}
.foot{font-size:.8em;color:#444;margin:4px 0 12px}
.pre{white-space:pre-line}
table.ms{table-layout:fixed}
table.ms col.c-id{width:5.5em}table.ms col.c-commit{width:24%}table.ms col.c-reason{width:20%}
table.ms col.c-num{width:8%}table.ms col.c-status{width:10%}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:10px}
figure{margin:0;break-inside:avoid}figure svg{width:100%;height:auto}
ol.sources li{margin:.15em 0;font-size:.85em;overflow-wrap:anywhere}
@media (max-width:700px){
 body{padding:8px}
 .charts{grid-template-columns:1fr}
 table.ms,table.ms tbody,table.ms tr,table.ms td{display:block;width:100%}
 table.ms thead,table.ms colgroup{display:none}
 table.ms tr{border:1px solid #999;border-radius:4px;margin:0 0 10px;padding:4px 6px}
 table.ms td{border:none;padding:2px 0;text-align:left;white-space:normal}
 table.ms td::before{content:attr(data-label);display:block;font-size:.75em;font-weight:bold;color:#1d4f91;text-transform:uppercase}
 table.ms td.status{font-size:1.05em}
 table.ms td:empty{display:none}
 table.ms td:first-child{font-weight:bold;font-size:1.1em}
 table.ms td:first-child::before{content:none}
}
@media print{@page{size:A4 landscape;margin:12mm}body{max-width:none;padding:0}.scroll{overflow:visible}
 h2{break-after:avoid}tr,figure{break-inside:avoid}.charts{grid-template-columns:1fr 1fr}table{font-size:.7em}}
"""


def _status(v: str) -> str:
    text = str(v)
    first, _, rest = text.partition("\n")
    base = first.split(" (")[0]
    fill = RAG_FILL.get(STATUS_RAG.get(base, "not measurable"), "9E9E9E")
    fg = "#000" if fill in (RAG_FILL["amber"], RAG_FILL["not measurable"]) else "#fff"
    out = f'<span class="st" style="background:#{fill};color:{fg}">{html.escape(first)}</span>'
    if rest:
        out += f'<span class="small">{html.escape(rest)}</span>'
    return out


def _text(v) -> str:
    return html.escape(display(v)).replace("\n", "<br>")


def _table(df: pd.DataFrame, cls: str = "", units: dict[str, str] | None = None) -> str:
    units = units or {}
    num = {c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])}
    head = "".join(f"<th{' class=num' if c in num else ''} scope='col'>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        cells = []
        for col, v in zip(df.columns, rec):
            label = html.escape(str(col), quote=True)
            if col == "Status":
                cells.append(f'<td class="status" data-label="{label}">{_status(v)}</td>')
            elif col in num or (isinstance(v, (int, float)) and not isinstance(v, bool)):
                unit = units.get(col) or units.get("*")
                cells.append(f'<td class="num" data-label="{label}">{html.escape(display(v, unit))}</td>')
            else:
                cells.append(f'<td data-label="{label}">{_text(v)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cols = ""
    if cls == "ms":
        kinds = {"Milestone": "c-id", "Commitment": "c-commit", "Reason": "c-reason", "Status": "c-status"}
        cols = "<colgroup>" + "".join(f'<col class="{kinds.get(c, "c-num")}">' for c in df.columns) + "</colgroup>"
    table = f'<table class="{cls}">{cols}<thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return table if cls == "ms" else f'<div class="scroll">{table}</div>'


def write(path: Path, paper) -> Path:
    e = html.escape
    parts = [
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{e(paper.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(paper.title)}</h1>" + "".join(f"<p>{e(s)}</p>" for s in paper.subtitle),
    ]
    if paper.sample_banner:
        parts.append(f'<div class="sample">{e(paper.sample_banner)}</div>')
    parts.append("<h2>Summary</h2>")
    if paper.counts:
        parts.append(f"<p>Status of the {sum(paper.counts.values())} milestones:</p>")
        parts.append(
            '<div class="counts">'
            + "".join(_status(f"{k}").replace(f">{e(k)}<", f">{n} {e(k)}<") for k, n in paper.counts.items())
            + "</div>"
        )
    parts.append('<ul class="summary">' + "".join(f"<li>{e(s)}</li>" for s in paper.summary) + "</ul>")
    parts.append(
        f'<p class="foot"><b>How a status is decided:</b> {e(paper.status_rule)} '
        f'The full rules are in <a href="#notes">Notes</a>.</p>'
    )
    if not paper.milestones.empty:
        parts.append("<h2 id='milestones'>Milestones</h2>" + _table(paper.milestones, "ms"))
        parts.append(
            '<p class="foot">Numbers in square brackets refer to the <a href="#sources">sources</a>; '
            'full quotes are in <a href="#quotes">Quotes</a>.</p>'
        )
    if paper.charts:
        parts.append(
            "<h2>Milestones charted</h2><p class='foot'>Each chart: the force's figures (SAMPLE figures "
            "dashed with open squares), the mean and natural process limits (statistical process "
            "control), the target, the straight-line trajectory and the deadline. A break in the line "
            "is a gap in the data.</p><div class='charts'>"
        )
        for c in paper.charts:
            parts.append(f"<figure>{c.svg}<figcaption class='foot'>{e(c.caption)}</figcaption></figure>")
        parts.append("</div>")
    parts.append(
        f"<h2>Latest figures beside England and Wales and peers</h2><p class='foot'>{e(paper.key_note)}</p>"
        + _table(paper.key_figures, units={"*": None})
    )
    parts.append(
        "<h2>Figures by topic</h2><p class='foot'>Monthly feeds: the last 13 whole months and financial-"
        "year totals; snapshots and years: the last 8. The spreadsheet and CSV files hold every period.</p>"
    )
    for name, df in paper.domains.items():
        parts.append(f"<h3>{e(name[:1].upper() + name[1:].replace('_', ' '))}</h3>" + _table(df))
    if paper.partnerships:
        from warehouse.report.pack import SUPPRESSION_NOTE

        parts.append(f"<h2>By community safety partnership</h2><p class='foot'>{e(SUPPRESSION_NOTE)}</p>")
        for domain, (month, df) in paper.partnerships.items():
            parts.append(f"<h3>{e(domain.replace('_', ' ').capitalize())}, {e(month)}</h3>" + _table(df))
    parts.append("<h2 id='notes'>Notes</h2>" + _table(paper.notes))
    parts.append("<h2 id='quotes'>Quotes</h2>" + _table(paper.quotes))
    parts.append(
        "<h2 id='sources'>Sources</h2><ol class='sources'>"
        + "".join(f"<li value='{s[1 : s.index(']')]}'>{e(s[s.index(']') + 2 :])}</li>" for s in paper.sources)
        + "</ol>"
    )
    parts.append("</body></html>")
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text("\n".join(parts), encoding="utf-8")
    tmp.replace(path)
    return path
