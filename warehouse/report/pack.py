"""``pcp report``: build one force's milestone pack (XLSX, CSVs, HTML, PDF) from the published warehouse.

The pack reads as a panel paper: page one is the summary (statuses, what changed, stale figures, the
SAMPLE banner, the status rule in one sentence), then the milestone table, one control chart per
measured milestone, the force's latest figures beside England and Wales and its peers, the domain
tables, partnerships, and at the end the notes, the full quotes and the numbered sources that tables
and charts cite by number.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from warehouse.core.config import paths
from warehouse.report import charts, html, pdf, tables, xlsx
from warehouse.report import data as data_mod
from warehouse.report.data import LICENCE, PackData
from warehouse.report.suppression import SUPPRESSED, THRESHOLD

SAMPLE_BANNER = (
    "SAMPLE DATA: figures marked SAMPLE are generated sample data from the project's generator, "
    "not force data. They show how the pack works and must not be quoted as real figures."
)
SUPPRESSION_NOTE = (
    f"{SUPPRESSED} = suppressed: domestic-abuse and hate-crime counts below force level under "
    f"{THRESHOLD} are hidden, and a further count is hidden wherever a total would reveal them."
)


@dataclass(frozen=True)
class Pack:
    folder: Path
    files: list[Path]
    notices: list[str] = field(default_factory=list)


@dataclass
class Chart:
    milestone_id: str
    caption: str
    title: str
    unit: str
    points: pd.DataFrame
    svg: str
    png: bytes


@dataclass
class Paper:
    """What the HTML and PDF writers lay out, in reading order."""

    title: str
    subtitle: list[str]
    sample_banner: str | None
    summary: list[str]  # page-one sentences
    counts: dict[str, int]  # status -> milestones
    status_rule: str
    milestones: pd.DataFrame  # tables.milestone_display
    charts: list[Chart]
    key_figures: pd.DataFrame
    key_note: str
    domains: dict[str, pd.DataFrame]
    partnerships: dict[str, tuple[str, pd.DataFrame]]
    quotes: pd.DataFrame  # Milestone, Document, Quote
    notes: pd.DataFrame  # Topic, Note
    paper_notes: pd.DataFrame  # the notes a printed paper keeps (rules, marks, milestone metrics)
    sources: list[str]  # "[n] text"


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def quality_line(d: PackData) -> str:
    q = d.quality
    rejected = int(q["rejected"].sum()) if not q.empty else 0
    quarantined = int(q["rows_quarantined"].sum()) if "rows_quarantined" in q else 0
    dq = (
        f"Data quality: all {int(q['accepted'].sum())} source files used passed the quality gate"
        if rejected == 0
        else f"Data quality: {rejected} file(s) were rejected by the quality gate and are not used"
    )
    if quarantined:
        dq += f"; {quarantined:,} row(s) were quarantined (see Notes)"
    return dq + "."


def footnotes(d: PackData) -> list[str]:
    """Short lines the spreadsheet prints under each sheet (the sources are numbered in 'Sources')."""
    out = [
        f"Data as at {d.as_at:%-d %B %Y} (published version {d.version}).",
        quality_line(d),
        "Status rule: " + d.status_rule,
        "Numbers in square brackets refer to the 'Sources' sheet; definitions are in 'Notes'. " + LICENCE,
    ]
    if d.has_sample:
        out.insert(1, "Figures marked SAMPLE are generated sample data, not force data.")
    return out


def notes_table(d: PackData) -> pd.DataFrame:
    rows = [("Status rule", d.status_rule)]
    rows += [(f"Status: {k.replace('_', ' ')}", v) for k, v in d.rules.items() if k != "summary"]
    rows += [("Licence", LICENCE), ("Small numbers", SUPPRESSION_NOTE)]
    if d.has_sample:
        rows.append(("Sample data", SAMPLE_BANNER))
    if d.peers:
        rows.append(
            (
                "Peer group",
                f"{d.force}'s most similar forces (reference.peer_groups): {', '.join(d.peers)}. "
                "The peer-group figure is their mean for the same period.",
            )
        )
    for r in d.quality.itertuples(index=False):
        extra = f", {int(r.rows_quarantined):,} rows quarantined" if hasattr(r, "rows_quarantined") else ""
        rows.append(
            (
                f"Quality: {r.source}",
                f"{r.accepted} of {r.files} files accepted, {r.rejected} rejected"
                f"{extra}; {int(r.rows_accepted):,} rows; last loaded {r.last_loaded:%-d %b %Y}"
                + (" (SAMPLE)" if r.is_sample else ""),
            )
        )
    for r in d.not_supplied.itertuples(index=False):  # a publication that left this force out (kind 9)
        rows.append(
            (
                f"Not supplied: {r.label}",
                f"{d.force} is not in the publication for {r.periods}: not "
                "supplied by the publisher, so there is no figure for it and no England and Wales total.",
            )
        )
    shown = set(d.long["metric_id"]) | set(d.milestones.get("metric_id", pd.Series(dtype=object)).dropna())
    for r in d.metrics.itertuples(index=False):
        if r.metric_id in shown:
            rows.append((r.label, f"[{r.unit}] {r.definition}"))
    return pd.DataFrame(rows, columns=["Topic", "Note"])


def _summary(d: PackData, mt: pd.DataFrame, counts: dict[str, int]) -> list[str]:
    if mt.empty:
        return [
            f"The milestone register holds no milestones for {d.force}: the panel has no plan commitments "
            "tracked here yet. The pack still shows the force's figures beside England and Wales and its "
            "peer forces, and the domain tables.",
            "To track a commitment, add it to seeds/reference/milestones.csv with its source document and quote.",
        ]
    out = []
    if d.compared_with is None:
        out.append("Changes since the last pack: none to report (no earlier publication to compare with).")
    elif d.changes.empty:
        out.append(f"Changes since the last pack (published {d.compared_with}): no status changed.")
    else:
        out.append(
            f"Changes since the last pack (published {d.compared_with}): "
            + "; ".join(f"{r.milestone_id} {r.before} \u2192 {r.now}" for r in d.changes.itertuples())
            + "."
        )
    stale = mt[mt["Stale"].astype(bool)]
    if not stale.empty:
        out.append(
            "Stale figures (older than their reporting interval allows): "
            + "; ".join(f"{r.Milestone} {r.Stale}" for r in stale.itertuples())
            + "."
        )
    dates = pd.to_datetime(mt["Latest date"]).dropna()
    if not dates.empty:
        out.append(f"Latest figures range from {dates.min():%-d %B %Y} to {dates.max():%-d %B %Y}.")
    sample = mt[mt["SAMPLE"] == "SAMPLE"]["Milestone"].tolist()
    if sample:
        out.append(f"SAMPLE: {', '.join(sample)} are judged on generated sample data, not force data.")
    return out


def _without_empty(df: pd.DataFrame) -> pd.DataFrame:
    """Drop a SAMPLE column that marks nothing."""
    return df.drop(columns="SAMPLE") if "SAMPLE" in df.columns and not df["SAMPLE"].astype(bool).any() else df


def build_pack(force: str, as_at: dt.date, out_root: Path | None = None) -> Pack:
    d = data_mod.load(force, as_at)
    folder = Path(out_root or paths().reports) / slug(d.force) / as_at.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    mt = tables.milestone_table(d)
    counts = tables.status_counts(mt)
    measured = d.milestones.to_dict("records") if not d.milestones.empty else []
    chart_list: list[Chart] = []
    labels = dict(zip(d.metrics.metric_id, d.metrics.label))
    for m in measured:
        m = pd.Series(m)
        pts = charts.series_frame(m, d.spc, d.series)
        if pts.empty or pts["value"].notna().sum() == 0:
            continue
        unit = str(m.get("unit") or "")
        sample = bool(pts.get("is_sample", pd.Series(False)).fillna(False).any())
        label = str(labels.get(m.get("metric_id"), m.get("metric_id"))).replace(" (SAMPLE)", "")
        named = f"({unit})" in label or (unit == "percent" and "%" in label)
        title = f"{m['milestone_id']}: {label}" + ("" if named else f" ({unit})") + (" SAMPLE" if sample else "")
        used = d.series[
            (d.series["metric_id"] == m.get("metric_id")) & (d.series["period_type"] == m.get("period_type"))
        ]
        cite = d.cite_texts(used["source"].unique())
        caption = (
            f"{m['milestone_id']}: {m.get('statement')} Status: {tables.status_of(pd.DataFrame([m])).iloc[0]}. "
            f"Source {cite}." + (" SAMPLE: generated figures, not force data." if sample else "")
        )
        chart_list.append(
            Chart(
                m["milestone_id"],
                caption,
                title,
                unit,
                pts,
                charts.to_svg(charts.milestone_chart(pts, m, title, unit)),
                charts.to_png(charts.milestone_chart(pts, m, title, unit)),
            )
        )
    quotes = pd.DataFrame(
        {
            "Milestone": mt["Milestone"],
            "Document": mt["Source document"].astype(str)
            + mt["Document date"].map(lambda x: f", {tables.display(x)}" if pd.notna(x) else ""),
            "Quote": mt["Quote"],
        }
    )
    sources = [f"[{s.number}] {s.text()}" for s in d.sources]
    key = tables.key_figures(d)
    domains = tables.domain_tables(d)
    notes = notes_table(d)
    title = f"{d.force}: Police and Crime Plan milestones"
    subtitle = [
        "Milestone pack for the Police and Crime Panel" + (f": {d.meeting}" if d.meeting else "") + ".",
        f"Data as at {as_at:%-d %B %Y} (published warehouse version {d.version}). {quality_line(d)}",
    ]
    paper = Paper(
        title=title,
        subtitle=subtitle,
        sample_banner=SAMPLE_BANNER if d.has_sample else None,
        summary=_summary(d, mt, counts),
        counts=counts,
        status_rule=d.status_rule,
        milestones=tables.milestone_display(mt, {m: "Quotes" for m in mt["Milestone"]}),
        charts=chart_list,
        key_figures=key
        if mt.empty
        else _without_empty(key[key["England and Wales"].notna() | key["Peer group"].notna()].reset_index(drop=True)),
        key_note=(
            f"Latest figure of each measure{'' if mt.empty else ' compared'}. England and Wales and the peer-group mean ({', '.join(d.peers)}) "
            "are shown for rates, percentages and times, for the same period; counts of forces of different "
            "sizes are not compared."
            if d.peers
            else "Latest figure of each measure."
        ),
        domains=domains,
        partnerships=tables.partnership_latest(d),
        quotes=quotes,
        notes=notes,
        paper_notes=notes[
            ~notes["Topic"].str.startswith("Quality: ")
            & (notes["Topic"] != "Status rule")
            & (~notes["Topic"].isin(d.metrics["label"]) | notes["Topic"].isin(mt["Metric"]))
        ].reset_index(drop=True),
        sources=sources,
    )
    files = []
    sheets = {
        "Milestones": mt,
        "Latest figures": key,
        **tables.domain_tables(d, recent=False),
        **tables.partnership_tables(d),
    }
    src = pd.DataFrame(
        {
            "Number": [s.number for s in d.sources],
            "Publisher": [s.publisher for s in d.sources],
            "Title": [s.title for s in d.sources],
            "Edition": [s.edition for s in d.sources],
            "Licence": [s.licence for s in d.sources],
            "Bundled file": [s.file for s in d.sources],
            "SAMPLE": ["SAMPLE" if s.is_sample else "" for s in d.sources],
        }
    )
    files.append(xlsx.write(folder / "milestone-pack.xlsx", sheets, footnotes(d), notes, src, chart_list, as_at, title))
    for name, df in {**sheets, "Notes": notes, "Sources": src}.items():
        p = folder / f"{slug(name)}.csv"
        tables.neutralise_frame(df).to_csv(p, index=False, date_format="%Y-%m-%d")
        files.append(p)
    files.append(html.write(folder / "milestone-pack.html", paper))
    files.append(pdf.write(folder / "milestone-pack.pdf", paper))
    notices = (
        []
        if not mt.empty
        else [
            f"the milestone register holds no milestones for {d.force}; "
            "the pack shows its figures with England and Wales and its peers"
        ]
    )
    return Pack(folder, files, notices)
