"""Everything a panel pack shows, read from the published warehouse (read-only) in one place."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from warehouse import db

RAG_RULE = (
    "Green: on or ahead of the straight-line trajectory from baseline to target (within the "
    "tolerance). Amber: behind trajectory, but the recent trend reaches the target by the deadline. "
    "Red: the recent trend misses the deadline or moves the wrong way. Not measurable: the warehouse "
    "holds no data for the milestone yet."
)
LICENCE = ("Contains public sector information licensed under the Open Government Licence v3.0 "
           "(Home Office, ONS, police.uk).")
SENSITIVE_DOMAINS = ("domestic_abuse", "hate_crime")


@dataclass
class PackData:
    force: str
    area_code: str
    as_at: dt.date
    version: str | None
    milestones: pd.DataFrame
    series: pd.DataFrame          # metric_id, period_end, value, unit, is_sample, england_wales, peer_group
    domains: dict[str, pd.DataFrame]
    breakdowns: dict[str, pd.DataFrame]  # below-force tables of sensitive domains (suppressed later)
    quality: pd.DataFrame
    metrics: pd.DataFrame
    sources: list[str] = field(default_factory=list)
    status_rule: str = RAG_RULE   # reference.status_rules 'summary' from the published file, when there

    @property
    def has_sample(self) -> bool:
        """True when any figure in the pack (milestones, charts, domain or partnership tables) is SAMPLE."""
        frames = [self.milestones, self.series, *self.domains.values(), *self.breakdowns.values()]
        return any(bool(f[c].fillna(False).astype(bool).any())
                   for f in frames for c in ("is_sample", "sample data") if c in f.columns)


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from information_schema.tables where table_schema = ? "
                            "and table_name = ?", [schema, table]).fetchall()[0][0])


def resolve_area(con: duckdb.DuckDBPyConnection, force: str) -> tuple[str, str]:
    rows = con.execute(
        "select area_code, area_name from marts.dim_areas where lower(area_name) = lower(?) "
        "or lower(home_office_name) = lower(?) or area_code = upper(?)", [force, force, force]).fetchall()
    if not rows:
        names = [r[0] for r in con.execute("select area_name from marts.dim_areas order by 1").fetchall()]
        raise ValueError(f"unknown force {force!r}; expected one of: {', '.join(names)}")
    return rows[0]


def load(force: str, as_at: dt.date) -> PackData:
    with db.reader() as con:
        area_code, area_name = resolve_area(con, force)
        version = con.execute("select max(version) from meta.publications").fetchall()[0][0]
        milestones = _milestones(con, area_code, as_at)
        metric_ids = sorted(set(milestones["metric_id"].dropna())) if not milestones.empty else []
        series = _series(con, area_code, as_at, metric_ids)
        domains = _domains(con, area_code, as_at)
        breakdowns = _breakdowns(con, area_code, as_at)
        quality = con.execute("""
            select l.source_table as source, count(*) as files,
                   count(*) filter (where l.status = 'accepted') as accepted,
                   count(*) filter (where l.status = 'rejected') as rejected,
                   coalesce(sum(l.rows_read) filter (where l.status = 'accepted'), 0) as rows_accepted,
                   bool_or(l.is_sample) as is_sample,
                   max(l.loaded_at)::date as last_loaded
            from meta.loads l group by 1 order by 1""").df()
        if _exists(con, "meta", "quarantine"):
            q = con.execute("select q.source_table as source, count(*) as rows_quarantined from meta.quarantine q "
                            "join meta.loads l using (load_id) group by 1").df()
            quality = quality.merge(q, on="source", how="left").fillna({"rows_quarantined": 0})
        metrics = con.execute("select metric_id, domain, label, unit, definition from reference.metrics "
                              "order by domain, metric_id").df()
        sources = [r[0] for r in con.execute(
            "select distinct source from marts.metric_values where area_code in (?, 'K04000001') "
            "and period_end <= ? order by 1", [area_code, as_at]).fetchall()]
        rule = RAG_RULE
        if _exists(con, "reference", "status_rules"):
            rule = con.execute("select plain_words from reference.status_rules where rule_id = 'summary'").fetchall()[0][0]
    return PackData(area_name, area_code, as_at, version, milestones, series, domains, breakdowns,
                    quality, metrics, sources, rule)


def _milestones(con, area_code: str, as_at: dt.date) -> pd.DataFrame:
    """Each register milestone as it stood at its latest reporting date on or before ``as_at``.

    A milestone whose first reporting date is after ``as_at`` still appears (the panel should see
    every commitment), with no figures and the reason.
    """
    if not _exists(con, "marts", "milestone_progress"):
        raise RuntimeError("marts.milestone_progress is missing from the published warehouse: run `pcp build`")
    df = con.execute("""
        select * from marts.milestone_progress where area_code = ?
        qualify row_number() over (
            partition by milestone_id
            order by (reporting_date is not null and reporting_date <= ?) desc,
                     case when reporting_date <= ? then reporting_date end desc nulls last,
                     reporting_date asc nulls last) = 1
        order by milestone_id""", [area_code, as_at, as_at]).df()
    if df.empty:
        return df
    later = df["reporting_date"].notna() & (pd.to_datetime(df["reporting_date"]) > pd.Timestamp(as_at))
    figures = [c for c in ("latest_value", "latest_date", "progress_pct", "expected_value_now", "projected_date",
                           "progress_numerator", "progress_denominator", "england_wales_value", "peer_group_value")
               if c in df.columns]
    for c in figures:
        df[c] = df[c].astype(object)
    df.loc[later, figures] = None
    df.loc[later, "rag_status"] = "not measurable"
    if "status" in df.columns:
        df["status"] = df["status"].astype(object)
        df.loc[later, "status"] = "not measurable"
    if "status_reason" in df.columns:
        # True as at the date asked: a commitment that starts later is not started; one with data
        # before its baseline has no figure after it yet.
        df["status_reason"] = df["status_reason"].astype(object)
        base = pd.to_datetime(df.get("baseline_date", pd.Series(pd.NaT, index=df.index)))
        not_started = later & base.notna() & (base > pd.Timestamp(as_at))
        df.loc[later & ~not_started, "status_reason"] = [
            f"no figure after the baseline ({b:%d %B %Y}) on or before {as_at:%d %B %Y}" if pd.notna(b)
            else f"no data on or before {as_at:%d %B %Y}" for b in base[later & ~not_started]]
        df.loc[not_started, "status_reason"] = [
            f"not started at {as_at:%d %B %Y}: the commitment runs from {b:%d %B %Y}" for b in base[not_started]]
    if "stale_after" in df.columns:
        # stale as at the date asked (the rule's interval and grace are in stale_after, from dbt)
        stale = ~later & df["stale_after"].notna() & (pd.to_datetime(df["stale_after"]) < pd.Timestamp(as_at))
        df["is_stale"] = stale
        df["stale_note"] = [
            f"latest figure {pd.Timestamp(d):%d %b %Y}, {(as_at.year - pd.Timestamp(d).year) * 12 + as_at.month - pd.Timestamp(d).month} months old on {as_at:%d %b %Y}"
            if st else None for d, st in zip(df["latest_date"], stale)]
    return df


def _series(con, area_code: str, as_at: dt.date, metric_ids: list[str]) -> pd.DataFrame:
    if not metric_ids:
        return pd.DataFrame(columns=["metric_id", "period_end", "value", "unit", "is_sample",
                                     "england_wales", "peer_group"])
    peer = ""
    if _exists(con, "reference", "peer_groups"):
        peer = """, (select avg(p.value) from marts.metric_values p
                    join reference.peer_groups g on g.peer_area_code = p.area_code and g.area_code = f.area_code
                    where p.metric_id = f.metric_id and p.period_end = f.period_end) as peer_group"""
    else:
        peer = ", null::double as peer_group"
    return con.execute(f"""
        select f.metric_id, f.period_end, f.value, f.unit, f.is_sample,
               (select e.value from marts.metric_values e where e.metric_id = f.metric_id
                  and e.area_code = 'K04000001' and e.period_end = f.period_end
                  and e.period_type = f.period_type) as england_wales
               {peer}
        from marts.metric_values f
        where f.area_code = ? and f.period_end <= ? and list_contains(?, f.metric_id)
        order by f.metric_id, f.period_end""", [area_code, as_at, metric_ids]).df()


def _domains(con, area_code: str, as_at: dt.date) -> dict[str, pd.DataFrame]:
    """One wide table per domain: a row per period, a column per metric (force-level aggregates)."""
    long = con.execute("""
        select m.domain, v.period_end, v.period_type, r.label as metric,
               v.value, v.is_sample
        from marts.metric_values v join reference.metrics m using (metric_id)
        join reference.metrics r using (metric_id)
        where v.area_code = ? and v.period_end <= ?
        order by m.domain, v.period_end""", [area_code, as_at]).df()
    out = {}
    for domain, part in long.groupby("domain", sort=True):
        wide = part.pivot_table(index=["period_end", "period_type"], columns="metric", values="value",
                                aggfunc="first").reset_index()
        flags = part.groupby(["period_end", "period_type"])["is_sample"].any().reset_index()
        wide = wide.merge(flags, on=["period_end", "period_type"]).rename(columns={"is_sample": "sample data"})
        wide.columns.name = None
        out[domain] = wide.sort_values("period_end", ascending=False).reset_index(drop=True)
    return out


def _breakdowns(con, area_code: str, as_at: dt.date) -> dict[str, pd.DataFrame]:
    """Below-force (community safety partnership) counts of the sensitive domains, if built."""
    out = {}
    for domain, table in (("domestic_abuse", "fct_domestic_abuse_monthly"), ("hate_crime", "fct_hate_crime_monthly")):
        if not _exists(con, "marts", table):
            continue
        cols = [r[0] for r in con.execute("select column_name from information_schema.columns where "
                                          "table_schema='marts' and table_name=?", [table]).fetchall()]
        if "csp_code" not in cols:
            continue
        out[domain] = con.execute(f"select * from marts.{table} where area_code = ? and period_end <= ? "
                                  f"order by period_end desc", [area_code, as_at]).df()
    return out
