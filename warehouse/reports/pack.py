"""``pcp report``: build one force's milestone pack (XLSX, CSVs, HTML, PDF) from the published warehouse."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from warehouse.config import paths
from warehouse.reports import charts, data as data_mod, html, pdf, tables, xlsx
from warehouse.reports.data import LICENCE, PackData

SAMPLE_BANNER = ("SAMPLE DATA: rows marked SAMPLE come from the project's generator, not from the force. "
                 "They show how the pack works and must not be quoted as real figures.")


@dataclass(frozen=True)
class Pack:
    folder: Path
    files: list[Path]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def footnotes(d: PackData) -> list[str]:
    q = d.quality
    rejected = int(q["rejected"].sum()) if not q.empty else 0
    quarantined = int(q["rows_quarantined"].sum()) if "rows_quarantined" in q else 0
    dq = (f"Data quality: all {int(q['accepted'].sum())} source files used passed the quality gate"
          if rejected == 0 else f"Data quality: {rejected} file(s) were rejected by the quality gate and are not used")
    if quarantined:
        dq += f"; {quarantined:,} row(s) were quarantined (see Notes)"
    # The short notes come first; the list of sources is long, so it goes last.
    out = [f"Data as at {d.as_at:%d %B %Y} (published version {d.version}).",
           dq + ".",
           "Status rule: " + d.status_rule,
           "Definitions of every metric are in the Notes.",
           "Sources: " + "; ".join(d.sources) + ". " + LICENCE]
    if d.has_sample:
        out.insert(1, "SAMPLE: rows, tables and charts marked SAMPLE are generated sample data, not force data.")
    return out


def notes_table(d: PackData) -> pd.DataFrame:
    rows = [("Status rule", d.status_rule), ("Licence", LICENCE),
            ("Small numbers", "Domestic-abuse and hate-crime counts below force level that are under 10 are shown "
             "as [c], and a further count is hidden where a total would reveal them.")]
    if d.has_sample:
        rows.append(("Sample data", SAMPLE_BANNER))
    for r in d.quality.itertuples(index=False):
        extra = f", {int(r.rows_quarantined):,} rows quarantined" if hasattr(r, "rows_quarantined") else ""
        rows.append((f"Quality: {r.source}", f"{r.accepted} of {r.files} files accepted, {r.rejected} rejected"
                     f"{extra}; {int(r.rows_accepted):,} rows; last loaded {r.last_loaded}"
                     + (" (SAMPLE)" if r.is_sample else "")))
    for r in d.metrics.itertuples(index=False):
        rows.append((f"Metric: {r.metric_id}", f"{r.label} [{r.unit}]: {r.definition}"))
    return pd.DataFrame(rows, columns=["Topic", "Note"])


def build_pack(force: str, as_at: dt.date, out_root: Path | None = None) -> Pack:
    d = data_mod.load(force, as_at)
    folder = Path(out_root or paths().reports) / slug(d.force) / as_at.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    mt = tables.milestone_table(d)
    domains = tables.domain_tables(d)
    notes = notes_table(d)
    feet = footnotes(d)
    title = f"{d.force}: Police and Crime Plan milestones"
    subtitle = (f"Milestone pack for the Police and Crime Panel, data as at {as_at:%d %B %Y}. "
                f"{len(mt)} milestones from the Police and Crime Plan and the Commissioner's reports to the panel.")
    banner = SAMPLE_BANNER if d.has_sample else None
    svgs, pngs = [], []
    for m in d.milestones.itertuples(index=False):
        m = pd.Series(m._asdict())
        s = d.series[d.series["metric_id"] == m.get("metric_id")]
        if s.empty:
            continue
        caption = f"{m.get('milestone_id')}: {m.get('statement')}" + (" (SAMPLE DATA)" if bool(m.get("is_sample")) else "")
        fig, _ = charts.milestone_chart(s, m, caption[:110])
        svgs.append((caption, charts.to_svg(fig)))
        fig, _ = charts.milestone_chart(s, m, caption[:110])
        pngs.append((caption, charts.to_png(fig)))
    files = []
    sheets = {"Milestones": mt, **{k[:31]: v for k, v in domains.items()}}
    files.append(xlsx.write(folder / "milestone-pack.xlsx", sheets, feet, notes, as_at))
    for name, df in {**sheets, "Notes": notes}.items():
        p = folder / f"{slug(name)}.csv"
        tables.neutralise_frame(df).to_csv(p, index=False, date_format="%Y-%m-%d")
        files.append(p)
    summary = tables.rag_counts(mt)
    files.append(html.write(folder / "milestone-pack.html", title=title, subtitle=subtitle, sample_banner=banner,
                            summary=summary, milestones=mt, charts=svgs, domains=domains, footnotes=feet,
                            notes=notes))
    files.append(pdf.write(folder / "milestone-pack.pdf", title=title, subtitle=subtitle, sample_banner=banner,
                           summary=summary, milestones=mt, charts=pngs, domains=domains, footnotes=feet,
                           notes=notes))
    return Pack(folder, files)
