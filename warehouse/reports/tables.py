"""The pack's tables as plain DataFrames, shaped once and shared by every writer."""

from __future__ import annotations

import pandas as pd

from warehouse.reports import suppression
from warehouse.reports.data import SENSITIVE_DOMAINS, PackData

RAG_ORDER = ["red", "amber", "green", "not measurable"]
RAG_FILL = {"green": "2E7D32", "amber": "F9A825", "red": "C62828", "not measurable": "9E9E9E"}
DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


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


def _fmt(v, unit: str | None = None) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
        return ""
    if hasattr(v, "strftime"):
        return v.strftime("%d %b %Y")
    if isinstance(v, (int, float)):
        if unit == "percent":
            return f"{v:,.1f}%"
        return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.1f}"
    return str(v)


def milestone_table(data: PackData) -> pd.DataFrame:
    """One row per milestone, in the columns a panel reads (values kept numeric for XLSX/CSV)."""
    m = data.milestones
    if m.empty:
        return pd.DataFrame(columns=["Milestone", "Statement", "Metric", "Baseline", "Baseline date", "Target",
                                     "Deadline", "Latest", "Latest date", "Progress %", "Expected now",
                                     "RAG", "Projected date", "Status note", "Sample data", "Source"])
    g = lambda c: m[c] if c in m.columns else pd.Series([None] * len(m), index=m.index)  # noqa: E731
    rag = g("rag_status").fillna("not measurable").astype(str)
    out = pd.DataFrame({
        "Milestone": g("milestone_id"),
        "Statement": g("statement"),
        "Metric": g("metric_id"),
        "Baseline": g("baseline_value"),
        "Baseline date": g("baseline_date"),
        "Target": g("target_value"),
        "Deadline": g("target_date"),
        "Latest": g("latest_value"),
        "Latest date": g("latest_date"),
        "Progress %": g("progress_pct"),
        "Expected now": g("expected_value_now"),
        "RAG": rag,
        "Projected date": g("projected_date"),
        "Status note": g("status_reason"),
        "Sample data": g("is_sample").fillna(False).astype(bool).map({True: "SAMPLE", False: ""}),
        "Source": g("source_document").fillna("").astype(str) + ": \u201c" + g("quote").fillna("").astype(str) + "\u201d",
    })
    for c in ("Baseline date", "Deadline", "Latest date", "Projected date"):
        out[c] = pd.to_datetime(out[c], errors="coerce").dt.date
    return out.reset_index(drop=True)


def rag_counts(table: pd.DataFrame) -> dict[str, int]:
    counts = table["RAG"].value_counts().to_dict()
    return {k: int(counts.get(k, 0)) for k in RAG_ORDER}


def domain_tables(data: PackData) -> dict[str, pd.DataFrame]:
    out = dict(data.domains)
    for domain, df in data.breakdowns.items():
        out[f"{domain}_by_partnership"] = suppressed_breakdown(domain, df)
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


def display(value, unit=None) -> str:
    return _fmt(value, unit)
