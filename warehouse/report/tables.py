"""The pack's tables as plain DataFrames, shaped once and shared by every writer.

Two shapes of the milestone table: ``milestone_table`` keeps values numeric and dates as dates (the
spreadsheet and CSV), ``milestone_display`` joins value, date and flags into the few cells a printed
page or a phone can show.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from warehouse.report import suppression
from warehouse.report.data import SENSITIVE_DOMAINS, PackData

RAG_ORDER = ["red", "amber", "green", "not measurable"]
RAG_FILL = {"green": "2E7D32", "amber": "F9A825", "red": "C62828", "not measurable": "9E9E9E"}
TINT = {"green": "C8E6C9", "amber": "FFE082", "red": "FFCDD2", "not measurable": "E0E0E0"}  # paper: words on a tint
STATUS_ORDER = [
    "off track",
    "missed",
    "at risk",
    "met late",
    "on track",
    "met",
    "sustained",
    "not sustained",
    "not known at deadline",
    "not measurable",
]
STATUS_RAG = {
    "on track": "green",
    "met": "green",
    "sustained": "green",
    "at risk": "amber",
    "met late": "amber",
    "off track": "red",
    "missed": "red",
    "not sustained": "red",
    "not known at deadline": "not measurable",
    "not measurable": "not measurable",
    "green": "green",
    "amber": "amber",
    "red": "red",
}
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
MONTHS_SHOWN = 13  # monthly feeds: the last 13 whole months (this month and the same month last year)
SNAPSHOTS_SHOWN = 8  # snapshots and years: the last 8


def neutralise(value):
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def _missing(v) -> bool:
    return v is None or v is pd.NaT or (isinstance(v, float) and pd.isna(v))


def display(v, unit: str | None = None) -> str:
    """A value as a panel reads it: 1,234 / 12.3% / 4.5 / 31 Mar 2023; blank when missing."""
    if _missing(v):
        return ""
    if isinstance(v, bool):
        return "yes" if v else ""
    if hasattr(v, "strftime"):
        return v.strftime("%-d %b %Y")
    if isinstance(v, (int, float)):
        if unit == "percent":
            return f"{v:,.1f}%"
        return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.1f}"
    return str(v)


def with_unit(v, unit: str | None) -> str:
    text = display(v, unit)
    if not text or unit in (None, "percent", "count"):
        return text
    return f"{text} {unit}"


def status_of(m: pd.DataFrame) -> pd.Series:
    """The milestone status (issue-16 words), or the RAG colour where the warehouse predates them."""
    if "status" in m.columns:
        return m["status"].fillna(m.get("rag_status")).fillna("not measurable").astype(str)
    return (
        m.get("rag_status", pd.Series(["not measurable"] * len(m), index=m.index)).fillna("not measurable").astype(str)
    )


def stale_of(m: pd.DataFrame, as_at: dt.date) -> pd.Series:
    """The staleness note per milestone as at ``as_at`` ('' when current).

    A latest figure is stale once ``as_at`` passes the mart's ``stale_after`` (its date plus the
    reporting interval and grace period); without that column, after 15 months (snapshots, years) or
    3 months (monthly feeds).
    """
    out = []
    for r in m.to_dict("records"):
        d = r.get("latest_date")
        if _missing(d):
            out.append("")
            continue
        d = pd.Timestamp(d).date()
        after = r.get("stale_after")
        if "stale_after" in m.columns:
            stale = not _missing(after) and as_at > pd.Timestamp(after).date()
        else:
            stale = (as_at - d).days > (92 if r.get("period_type") == "month" else 456)
        months = (as_at.year - d.year) * 12 + as_at.month - d.month
        out.append(f"latest figure {d:%-d %b %Y}, {months} months old at {as_at:%-d %b %Y}" if stale else "")
    return pd.Series(out, index=m.index, dtype=object)


def _col(m: pd.DataFrame, c: str) -> pd.Series:
    return m[c] if c in m.columns else pd.Series([None] * len(m), index=m.index, dtype=object)


def _date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce").dt.date


# Reading order: the columns a printed sheet shows come first (through SAMPLE), the detail after.
MILESTONE_COLUMNS = [
    "Milestone",
    "Commitment",
    "Baseline",
    "Baseline date",
    "Target",
    "Deadline",
    "Latest",
    "Latest date",
    "Stale",
    "Status",
    "Variation",
    "Assurance",
    "Reason",
    "SAMPLE",
    "Count",
    "Out of",
    "Force per 100k",
    "England and Wales",
    "Peer group",
    "Compared as",
    "Status date",
    "RAG",
    "Metric",
    "Unit",
    "Source document",
    "Document date",
    "Quote",
    "Sources",
]


def milestone_table(data: PackData) -> pd.DataFrame:
    """One row per milestone, values numeric and dates as dates (the spreadsheet and CSV shape)."""
    m = data.milestones
    if m.empty:
        return pd.DataFrame(columns=MILESTONE_COLUMNS)
    status = status_of(m)
    rag = _col(m, "rag_status").fillna(status.map(STATUS_RAG)).fillna("not measurable").astype(str)
    doc = _col(m, "source_title").fillna(_col(m, "source_document"))
    out = pd.DataFrame(
        {
            "Milestone": _col(m, "milestone_id"),
            "Commitment": _col(m, "statement"),
            "Source document": doc,
            "Document date": _date(_col(m, "source_date")),
            "Quote": _col(m, "quote"),
            "Metric": _col(m, "metric_id").map(dict(zip(data.metrics.metric_id, data.metrics.label))),
            "Unit": _col(m, "unit"),
            "Baseline": _col(m, "baseline_value"),
            "Baseline date": _date(_col(m, "baseline_date")),
            "Target": _col(m, "target_value"),
            "Deadline": _date(_col(m, "target_date")),
            "Latest": _col(m, "latest_value"),
            "Latest date": _date(_col(m, "latest_date")),
            "Stale": stale_of(m, data.as_at),
            "Count": _col(m, "latest_numerator"),
            "Out of": _col(m, "latest_denominator"),
            "Force per 100k": _col(m, "latest_value_per_100k"),
            "England and Wales": _col(m, "england_wales_value"),
            "Peer group": _col(m, "peer_group_value"),
            "Compared as": _col(m, "comparison_basis"),
            "Status": status,
            "Status date": _date(_col(m, "status_date")),
            "Variation": _col(m, "variation"),
            "Assurance": _col(m, "assurance"),
            "RAG": rag,
            "Reason": _col(m, "status_reason"),
            "SAMPLE": _col(m, "is_sample").fillna(False).astype(bool).map({True: "SAMPLE", False: ""}),
            "Sources": _col(m, "source").map(lambda x: data.cite_texts([x])),
        }
    )
    return out[MILESTONE_COLUMNS].reset_index(drop=True)


def _short(text: str, words: int) -> str:
    w = str(text or "").split()
    return " ".join(w[:words]) + ("\u2026" if len(w) > words else "")


def _short_quote(q: str, words: int = 10) -> str:
    return "\u201c" + _short(q, words) + "\u201d"


def milestone_display(t: pd.DataFrame, quote_refs: dict[str, str] | None = None) -> pd.DataFrame:
    """The milestone table as text cells for paper and screen (from ``milestone_table``).

    Columns: Milestone, Commitment (with document, date and a short quote), Baseline, Target (with
    deadline), Latest (date, count, SAMPLE and stale flags), England and Wales, Peer group, Status
    (with variation and assurance), Reason.
    """
    quote_refs = quote_refs or {}
    rows = []
    for r in t.to_dict("records"):
        unit = r["Unit"] if isinstance(r["Unit"], str) else None
        pct = "percent" if unit == "percent" else None
        src = ", ".join(x for x in (_short(str(r["Source document"] or ""), 9), display(r["Document date"])) if x)
        commitment = f"{r['Commitment']}\nSource: {src}. {_short_quote(r['Quote'])}" + (
            f" (full quote: {quote_refs[r['Milestone']]})" if r["Milestone"] in quote_refs else ""
        )
        latest = with_unit(r["Latest"], unit)
        if latest:
            latest += f" at {display(r['Latest date'])}"
            if not _missing(r["Count"]) and not _missing(r["Out of"]) and pct:
                latest += f" ({display(r['Count'])} of {display(r['Out of'])})"
            if r["Sources"]:
                latest += f" {r['Sources']}"
        flags = [f for f in (r["SAMPLE"], "STALE: " + r["Stale"] if r["Stale"] else "") if f] if latest else []
        dated = r["Status"] in ("met", "met late", "missed") and not _missing(r["Status date"])
        status = r["Status"] + (f" ({display(r['Status date'])})" if dated else "")
        verdicts = "; ".join(str(r[c]) for c in ("Variation", "Assurance") if isinstance(r[c], str) and r[c])
        ew = with_unit(r["England and Wales"], pct)
        if ew and not _missing(r["Force per 100k"]):
            ew += f" per 100k residents (force {display(r['Force per 100k'])})"
        elif ew and isinstance(r["Compared as"], str) and r["Compared as"]:
            ew += f" ({r['Compared as']})"
        rows.append(
            {
                "Milestone": r["Milestone"],
                "Commitment": commitment,
                "Baseline": (
                    with_unit(r["Baseline"], unit)
                    + (f" at {display(r['Baseline date'])}" if not _missing(r["Baseline date"]) else "")
                ).strip(),
                "Target": (
                    with_unit(r["Target"], unit)
                    + (f" by {display(r['Deadline'])}" if not _missing(r["Deadline"]) else "")
                ).strip(),
                "Latest": "\n".join([latest] + flags).strip(),
                "England and Wales": ew,
                "Peer group": with_unit(r["Peer group"], pct)
                + (" per 100k" if not _missing(r["Peer group"]) and not _missing(r["Force per 100k"]) else ""),
                "Status": status + (f"\n{verdicts}" if verdicts else ""),
                "Reason": r["Reason"] if isinstance(r["Reason"], str) else "",
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "Milestone",
            "Commitment",
            "Baseline",
            "Target",
            "Latest",
            "England and Wales",
            "Peer group",
            "Status",
            "Reason",
        ],
    )


def status_counts(table: pd.DataFrame) -> dict[str, int]:
    """Milestones per status, in the order a panel reads them (only statuses present)."""
    counts = table["Status"].value_counts().to_dict()
    order = STATUS_ORDER + sorted(set(counts) - set(STATUS_ORDER))
    return {k: int(counts[k]) for k in order if counts.get(k)}


def rag_counts(table: pd.DataFrame) -> dict[str, int]:
    counts = table["RAG"].value_counts().to_dict()
    return {k: int(counts.get(k, 0)) for k in RAG_ORDER}


def _fy(d: pd.Timestamp) -> str:
    start = d.year if d.month >= 4 else d.year - 1
    return f"{start}/{str(start + 1)[2:]}"


def _period_label(d, period_type: str) -> str:
    d = pd.Timestamp(d)
    if period_type == "month":
        return f"{d:%b %Y}"
    if period_type == "financial_year":
        return _fy(d)
    return f"{d:%-d %b %Y}"


ADDITIVE_UNITS = ("count", "hours")


def domain_tables(data: PackData, recent: bool = True) -> dict[str, pd.DataFrame]:
    """One table per domain and period type, a row per metric and a column per period.

    Monthly feeds show the last 13 whole months and a total per financial year for counts and hours
    (a year still running is labelled with its number of months); percentages are pooled from their
    counts where the warehouse holds them. Snapshots and years show the last 8 periods. With
    ``recent=False`` every period is shown (the spreadsheet and CSV).
    Columns: Measure, Unit, SAMPLE, the periods, Sources.
    """
    out: dict[str, pd.DataFrame] = {}
    long = data.long
    if long.empty:
        return out
    for (domain, ptype), part in long.groupby(["domain", "period_type"], sort=True):
        periods = sorted(part["period_end"].unique())
        keep = periods[-(MONTHS_SHOWN if ptype == "month" else SNAPSHOTS_SHOWN) :] if recent else periods
        shown = part[part["period_end"].isin(keep)]
        labels = {p: _period_label(p, ptype) for p in keep}
        rows = []
        for (metric_id, label, unit), g in shown.groupby(["metric_id", "label", "unit"], sort=False):
            row = {
                "Measure": label,
                "Unit": unit,
                "SAMPLE": "SAMPLE" if g["is_sample"].any() and "SAMPLE" not in label else "",
            }
            by = dict(zip(g["period_end"], g["value"]))
            for p in keep:
                row[labels[p]] = by.get(p)
            if ptype == "month":
                full = part[part["metric_id"] == metric_id].assign(
                    fy=lambda x: pd.to_datetime(x["period_end"]).map(_fy)
                )
                for fy in sorted({_fy(pd.Timestamp(p)) for p in keep}):
                    y = full[full["fy"] == fy]
                    name = f"{fy} total" if len(y) == 12 else f"{fy} ({len(y)} months)"
                    if unit in ADDITIVE_UNITS:
                        row[name] = y["value"].sum()
                    elif unit == "percent" and y["numerator"].notna().all() and y["denominator"].sum():
                        row[name] = 100 * y["numerator"].sum() / y["denominator"].sum()
                    else:
                        row[name] = None
            row["Sources"] = data.cite_texts(g["source"].unique())
            rows.append(row)
        df = pd.DataFrame(rows)
        if not df["SAMPLE"].any():
            df = df.drop(columns="SAMPLE")
        out[f"{domain} {'monthly' if ptype == 'month' else ptype.replace('_', ' ')}"] = df
    return out


def partnership_tables(data: PackData) -> dict[str, pd.DataFrame]:
    """Sensitive domains by community safety partnership, suppressed (every month: spreadsheet, CSV)."""
    out = {}
    for domain, df in data.breakdowns.items():
        t = suppressed_breakdown(domain, df)
        if "is_sample" in t.columns:
            t["is_sample"] = t["is_sample"].map({True: "SAMPLE", False: ""})
        out[f"{domain} by partnership"] = t.rename(columns=PARTNERSHIP_LABELS)
    return out


PARTNERSHIP_LABELS = {
    "period_end": "Month end",
    "area_code": "Force code",
    "area_name": "Force",
    "csp_code": "Partnership code",
    "strand": "Strand",
    "is_sample": "SAMPLE",
    "csp_name": "Partnership",
    "incidents": "Incidents",
    "crimes": "Crimes",
    "arrests": "Arrests",
    "justice_outcomes": "Justice outcomes",
    "outcome_charge_summons": "Charged or summonsed",
    "outcome_out_of_court": "Out of court",
    "outcome_evidential_difficulties": "Evidential difficulties",
    "outcome_victim_does_not_support": "Victim does not support",
    "outcome_other": "Other outcomes",
}


def partnership_latest(data: PackData) -> dict[str, tuple[str, pd.DataFrame]]:
    """For paper and screen: the latest whole month by partnership (strands added together),
    counts only, suppressed; returns (month label, table) per domain."""
    out = {}
    for domain, df in data.breakdowns.items():
        if df.empty:
            continue
        month = df["period_end"].max()
        last = df[df["period_end"] == month]
        if "strand" in last.columns and (last["strand"] == "all").any():
            last = last[last["strand"] == "all"]  # the feed's own all-strands row; strands would double it
        counts = [
            c
            for c in last.columns
            if c in PARTNERSHIP_LABELS
            and pd.api.types.is_numeric_dtype(last[c])
            and not pd.api.types.is_bool_dtype(last[c])
        ]
        agg = last.groupby(["area_code", "period_end", "csp_code", "csp_name"], as_index=False)[counts].sum()
        sup = suppressed_breakdown(domain, agg).sort_values("csp_name")
        table = sup[["csp_name", *counts]].rename(columns=PARTNERSHIP_LABELS).reset_index(drop=True)
        out[domain] = (f"{pd.Timestamp(month):%B %Y}", table)
    return out


def suppressed_breakdown(domain: str, df: pd.DataFrame) -> pd.DataFrame:
    """Below-force counts of a sensitive domain (counts only), with primary and secondary suppression.

    Rates are left out: a rate next to a hidden count would give the count away.
    """
    assert domain in SENSITIVE_DOMAINS
    df = df.reset_index(drop=True)
    keep = [c for c in df.columns if not c.endswith(("_pct", "_rate", "per_100k", "_numerator", "_denominator"))]
    df = df[keep]
    counts = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    force_month = ["area_code", "period_end"]
    groups = [force_month + ["strand"], force_month] if "strand" in df.columns else [force_month]
    row_sums = {"justice_outcomes": ["outcome_charge_summons", "outcome_out_of_court"]}
    return suppression.apply(df, counts, groups=groups, row_sums=row_sums)


def key_figures(data: PackData) -> pd.DataFrame:
    """Latest figure per measure with England and Wales and the peer-group mean (rates only)."""
    k = data.key_figures
    if k.empty:
        return pd.DataFrame(
            columns=["Measure", "Unit", "Period", "Force", "England and Wales", "Peer group", "SAMPLE", "Sources"]
        )
    out = pd.DataFrame(
        {
            "Measure": k["label"],
            "Unit": k["unit"],
            "Period": [_period_label(d, t) for d, t in zip(k["period_end"], k["period_type"])],
            "Force": k["value"],
            "England and Wales": k["england_wales"],
            "Peer group": k["peer_group"],
            "SAMPLE": k["is_sample"].fillna(False).map({True: "SAMPLE", False: ""}),
            "Sources": k["source"].map(lambda x: data.cite_texts([x])),
        }
    )
    return out if out["SAMPLE"].any() else out.drop(columns="SAMPLE")
