"""One self-contained HTML file: inline CSS and inline SVG charts, no scripts, no external requests."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from warehouse.reports.data import RAG_RULE
from warehouse.reports.tables import RAG_FILL, display

CSS = """
body{font-family:-apple-system,'Segoe UI',Arial,sans-serif;margin:0 auto;max-width:1100px;padding:12px;color:#1a1a1a;line-height:1.4}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin-top:1.6em;border-bottom:2px solid #1d4f91}
.sample{background:#fff3cd;border:1px solid #e0a800;padding:6px 10px;margin:8px 0;font-weight:bold}
.summary span{display:inline-block;padding:4px 10px;margin:2px;border-radius:3px;color:#fff;font-weight:bold}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;font-size:.85em;min-width:100%}
th{background:#1d4f91;color:#fff;text-align:left;padding:4px 6px;position:sticky;top:0}
td{border-bottom:1px solid #ddd;padding:4px 6px;vertical-align:top}
td.num{text-align:right;white-space:nowrap}
.rag{color:#fff;font-weight:bold;text-align:center;white-space:nowrap}
.foot{font-size:.8em;color:#444;margin:4px 0 12px}
figure{margin:10px 0;break-inside:avoid}figure svg{max-width:100%;height:auto}
@media print{body{max-width:none}.scroll{overflow:visible}h2{break-after:avoid}table{font-size:.7em}}
@media (max-width:600px){body{padding:6px}table{font-size:.75em}}
"""


def _table(df: pd.DataFrame, units: dict[str, str] | None = None) -> str:
    units = units or {}
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        cells = []
        for col, v in zip(df.columns, rec):
            if col == "RAG":
                colour = RAG_FILL.get(str(v), "9E9E9E")
                fg = "#000" if v == "amber" else "#fff"
                cells.append(f'<td class="rag" style="background:#{colour};color:{fg}">{html.escape(str(v))}</td>')
            elif isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(f'<td class="num">{html.escape(display(v, units.get(col)))}</td>')
            else:
                cells.append(f"<td>{html.escape(display(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'


def _foot(lines: list[str]) -> str:
    return '<div class="foot">' + "<br>".join(html.escape(x) for x in lines) + "</div>"


def write(path: Path, *, title: str, subtitle: str, sample_banner: str | None, summary: dict[str, int],
          milestones: pd.DataFrame, charts: list[tuple[str, str]], domains: dict[str, pd.DataFrame],
          footnotes: list[str], notes: pd.DataFrame) -> Path:
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
             f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p>"]
    if sample_banner:
        parts.append(f'<div class="sample">{html.escape(sample_banner)}</div>')
    parts.append('<div class="summary">' + "".join(
        f'<span style="background:#{RAG_FILL[k]};{"color:#000" if k == "amber" else ""}">{v} {html.escape(k)}</span>'
        for k, v in summary.items()) + "</div>")
    parts.append(f'<p class="foot"><b>RAG rule:</b> {html.escape(RAG_RULE)}</p>')
    parts.append("<h2>Milestones</h2>" + _table(milestones, {"Progress %": "percent"}) + _foot(footnotes))
    if charts:
        parts.append("<h2>Trends against targets</h2>")
        for caption, svg in charts:
            parts.append(f"<figure>{svg}<figcaption class='foot'>{html.escape(caption)}</figcaption></figure>")
    for name, df in domains.items():
        parts.append(f"<h2>{html.escape(name.replace('_', ' ').capitalize())}</h2>" + _table(df) + _foot(footnotes))
    parts.append("<h2>Notes</h2>" + _table(notes))
    parts.append("</body></html>")
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text("\n".join(parts), encoding="utf-8")
    tmp.replace(path)
    return path
