"""Everything a panel pack shows, read from the published warehouse (read-only) in one place.

Reads ``marts.milestone_progress`` (one row per milestone), ``marts.milestone_spc`` (the judged
series with mean and natural process limits, when built), ``marts.milestone_status_history``,
``marts.metric_values`` and the ``reference`` tables. The source list is numbered here once, from the
``source`` text of the figures used and the source contracts (publisher, title, licence, bundled file).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from warehouse.core import contracts, db, reference
from warehouse.core.config import paths
from warehouse.publish import versions

LICENCE = (
    "Contains public sector information licensed under the Open Government Licence v3.0 (Home Office, ONS, police.uk)."
)
SENSITIVE_DOMAINS = ("domestic_abuse", "hate_crime")
ENGLAND_WALES = "K04000001"


class UnknownForceError(ValueError):
    """The force name matches none of the 43 territorial forces; the message names the nearest."""


@dataclass(frozen=True)
class Source:
    """One numbered entry of the pack's source list."""

    number: int
    publisher: str
    title: str
    edition: str  # e.g. "edition of 27 July 2022", or "" when not dated
    licence: str
    file: str  # the bundled file (path under seeds/sources), or "" for landed feeds
    is_sample: bool

    def text(self) -> str:
        parts = [self.publisher, self.title + (f" ({self.edition})" if self.edition else ""), self.licence]
        if self.file:
            parts.append(f"bundled file seeds/sources/{self.file}")
        return ". ".join(p.rstrip(".") for p in parts if p) + "."


@dataclass
class PackData:
    force: str
    area_code: str
    as_at: dt.date
    version: str | None
    meeting: str | None  # the panel meeting the pack is for, from reference.panel_calendar
    milestones: pd.DataFrame  # marts.milestone_progress, one row per milestone as at ``as_at``
    spc: pd.DataFrame  # marts.milestone_spc rows of those milestones (may be empty)
    series: pd.DataFrame  # metric_values of the milestones' metrics (chart fallback without spc)
    long: pd.DataFrame  # every force figure: domain, metric_id, label, unit, period_*, value, ...
    breakdowns: dict[str, pd.DataFrame]  # below-force tables of sensitive domains (suppressed later)
    key_figures: pd.DataFrame  # latest figure per metric with England and Wales and peer group
    peers: list[str]
    changes: pd.DataFrame  # milestones whose status changed since the previous publication
    compared_with: str | None  # when that previous publication was built
    rules: dict[str, str]  # reference.status_rules: rule_id -> plain words
    quality: pd.DataFrame
    metrics: pd.DataFrame
    sources: list[Source] = field(default_factory=list)
    metric_sources: dict[str, list[int]] = field(default_factory=dict)
    text_sources: dict[str, list[int]] = field(default_factory=dict)  # metric_values.source -> numbers
    not_supplied: pd.DataFrame = field(default_factory=pd.DataFrame)  # marts.fct_not_supplied: label, periods

    def cite_texts(self, texts) -> str:
        """'[1, 4]': the numbered sources behind some metric_values.source texts."""
        return cite(sorted({n for t in texts if isinstance(t, str) for n in self.text_sources.get(t, [])}))

    @property
    def has_sample(self) -> bool:
        """True when any figure in the pack (milestones, charts, topic or partnership tables) is SAMPLE."""
        frames = [self.milestones, self.series, self.spc, self.long, *self.breakdowns.values()]
        return any(bool(f["is_sample"].fillna(False).astype(bool).any()) for f in frames if "is_sample" in f.columns)

    @property
    def status_rule(self) -> str:
        return self.rules["summary"]


def _mart_columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    """Column names of ``marts.<table>`` (older published files lack some)."""
    return {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
            [table],
        ).fetchall()
    }


def status_rules(con: duckdb.DuckDBPyConnection | None = None) -> dict[str, str]:
    """rule_id -> the status rule in words: ``reference.status_rules`` of the published file, or the seed
    it is built from (seeds/reference/status_rules.csv, the one statement of the rule) for a file
    built before that table existed. Docs quote it verbatim (tests/report/test_milestones.py)."""
    if con is not None and db.has_table(con, "reference", "status_rules"):
        return dict(con.execute("select rule_id, plain_words from reference.status_rules").fetchall())
    with open(paths().reference / "status_rules.csv", newline="", encoding="utf-8") as fh:
        return {r["rule_id"]: r["plain_words"] for r in csv.DictReader(fh)}


def resolve_area(con: duckdb.DuckDBPyConnection, force: str) -> tuple[str, str]:
    """(area_code, area_name) of a force given by name, Home Office name or ONS code.

    Raises UnknownForceError naming up to three nearest force names.
    """
    code = reference.area_code_of(force) or force.strip().upper()  # the one alias table; K04000001 too
    rows = con.execute("select area_code, area_name from marts.dim_areas where area_code = ?", [code]).fetchall()
    if not rows:
        names = [
            r[0]
            for r in con.execute(
                "select area_name from marts.dim_areas where area_code <> ? order by 1", [ENGLAND_WALES]
            ).fetchall()
        ]
        by_lower = {n.lower(): n for n in names}
        near = [by_lower[n] for n in difflib.get_close_matches(force.lower(), list(by_lower), n=3, cutoff=0.5)]
        hint = (
            f"did you mean {' or '.join(repr(n) for n in near)}?"
            if near
            else '`pcp sql "select area_name from marts.dim_areas"` lists the forces'
        )
        raise UnknownForceError(f"no police force named {force!r}; {hint}")
    return rows[0]


def load(force: str, as_at: dt.date) -> PackData:
    with db.reader() as con:
        area_code, area_name = resolve_area(con, force)
        version = (versions.latest_publication(con, "version") or [None])[0]
        milestones = _milestones(con, area_code, as_at)
        metric_ids = sorted(set(milestones["metric_id"].dropna())) if not milestones.empty else []
        series = _series(con, area_code, as_at, metric_ids)
        spc = _spc(con, milestones, as_at)
        long = _long(con, area_code, as_at)
        breakdowns = _breakdowns(con, area_code, as_at)
        key, peers = _key_figures(con, area_code, as_at)
        changes, compared = _changes(con, area_code)
        rules = status_rules(con)
        meeting = _meeting(con, area_code, as_at)
        quality = con.execute("""
            select l.source_table as source, count(*) as files,
                   count(*) filter (where l.status = 'accepted') as accepted,
                   count(*) filter (where l.status = 'rejected') as rejected,
                   coalesce(sum(l.rows_read) filter (where l.status = 'accepted'), 0) as rows_accepted,
                   bool_or(l.is_sample) as is_sample,
                   max(l.loaded_at)::date as last_loaded
            from meta.loads l group by 1 order by 1""").df()
        if db.has_table(con, "meta", "quarantine"):
            q = con.execute(
                "select q.source_table as source, count(*) as rows_quarantined from meta.quarantine q "
                "join meta.loads l using (load_id) group by 1"
            ).df()
            quality = quality.merge(q, on="source", how="left").fillna({"rows_quarantined": 0})
        metrics = con.execute(
            "select metric_id, domain, label, unit, definition from reference.metrics order by domain, metric_id"
        ).df()
        used = con.execute(
            """
            select distinct metric_id, source from marts.metric_values
            where area_code in (?, ?) and period_end <= ? and source is not null""",
            [area_code, ENGLAND_WALES, as_at],
        ).fetchall()
        if not milestones.empty and "source" in milestones.columns:
            used += [(m, s) for m, s in milestones[["metric_id", "source"]].dropna().itertuples(index=False)]
        absent = _not_supplied(con, area_code, as_at)
    sources, metric_sources, text_sources = number_sources(used)
    return PackData(
        area_name,
        area_code,
        as_at,
        version,
        meeting,
        milestones,
        spc,
        series,
        long,
        breakdowns,
        key,
        peers,
        changes,
        compared,
        rules,
        quality,
        metrics,
        sources,
        metric_sources,
        text_sources,
        absent,
    )


def _not_supplied(con, area_code: str, as_at: dt.date) -> pd.DataFrame:
    """The periods national publications left this force out of (issue 14, kind 9): label, periods."""
    if not db.has_table(con, "marts", "fct_not_supplied"):
        return pd.DataFrame(columns=["label", "periods"])
    return con.execute(
        """
        select m.label, string_agg(strftime(n.period_end, '%-d %b %Y'), ', ' order by n.period_end) as periods
        from marts.fct_not_supplied n join reference.metrics m using (metric_id)
        where n.area_code = ? and n.period_end <= ? group by m.label order by m.label""",
        [area_code, as_at],
    ).df()


def _meeting(con, area_code: str, as_at: dt.date) -> str | None:
    if not db.has_table(con, "reference", "panel_calendar"):
        return None
    row = con.execute(
        """select panel_name, meeting_date from reference.panel_calendar
                         where area_code = ? and meeting_date >= ? order by meeting_date limit 1""",
        [area_code, as_at],
    ).fetchall()
    return f"{row[0][0]}, meeting of {row[0][1]:%-d %B %Y}" if row else None


def _milestones(con, area_code: str, as_at: dt.date) -> pd.DataFrame:
    """Each register milestone as it stood at its latest reporting date on or before ``as_at``.

    A milestone whose first reporting date is after ``as_at`` still appears (the panel should see
    every commitment), with no figures and the reason.
    """
    if not db.has_table(con, "marts", "milestone_progress"):
        raise RuntimeError("marts.milestone_progress is missing from the published warehouse: run `pcp build`")
    df = con.execute(
        """
        select * from marts.milestone_progress where area_code = ?
        qualify row_number() over (
            partition by milestone_id
            order by (reporting_date is not null and reporting_date <= ?) desc,
                     case when reporting_date <= ? then reporting_date end desc nulls last,
                     reporting_date asc nulls last) = 1
        order by milestone_id""",
        [area_code, as_at, as_at],
    ).df()
    if df.empty:
        return df
    later = df["reporting_date"].notna() & (pd.to_datetime(df["reporting_date"]) > pd.Timestamp(as_at))
    figures = [
        c
        for c in (
            "latest_value",
            "latest_date",
            "progress_pct",
            "expected_value_now",
            "projected_date",
            "progress_numerator",
            "progress_denominator",
            "latest_numerator",
            "latest_denominator",
            "england_wales_value",
            "peer_group_value",
            "variation",
            "assurance",
            "status_date",
            "deadline_value",
            "deadline_date",
            "stale_note",
        )
        if c in df.columns
    ]
    for c in figures:
        df[c] = df[c].astype(object)
    df.loc[later, figures] = None
    df.loc[later, "rag_status"] = "not measurable"
    if "status" in df.columns:
        df["status"] = df["status"].astype(object)
        df.loc[later, "status"] = "not measurable"
    if "is_stale" in df.columns:
        df.loc[later, "is_stale"] = False
    if "status_reason" in df.columns:
        # True as at the date asked: a commitment that starts later is not started; one with data
        # before its baseline has no figure after it yet.
        df["status_reason"] = df["status_reason"].astype(object)
        base = pd.to_datetime(df.get("baseline_date", pd.Series(pd.NaT, index=df.index)))
        not_started = later & base.notna() & (base > pd.Timestamp(as_at))
        df.loc[later & ~not_started, "status_reason"] = [
            f"no figure after the baseline ({b:%-d %B %Y}) on or before {as_at:%-d %B %Y}"
            if pd.notna(b)
            else f"no data on or before {as_at:%-d %B %Y}"
            for b in base[later & ~not_started]
        ]
        df.loc[not_started, "status_reason"] = [
            f"not started at {as_at:%-d %B %Y}: the commitment runs from {b:%-d %B %Y}" for b in base[not_started]
        ]
    return df


def _spc(con, milestones: pd.DataFrame, as_at: dt.date) -> pd.DataFrame:
    if milestones.empty or not db.has_table(con, "marts", "milestone_spc"):
        return pd.DataFrame()
    return con.execute(
        "select * from marts.milestone_spc where list_contains(?, milestone_id) "
        "and period_end <= ? order by milestone_id, period_end",
        [sorted(milestones["milestone_id"]), as_at],
    ).df()


def _series(con, area_code: str, as_at: dt.date, metric_ids: list[str]) -> pd.DataFrame:
    if not metric_ids:
        return pd.DataFrame(columns=["metric_id", "period_end", "period_type", "value", "unit", "is_sample", "source"])
    return con.execute(
        """
        select metric_id, period_end, period_type, value, unit, is_sample, source from marts.metric_values
        where area_code = ? and period_end <= ? and list_contains(?, metric_id)
        order by metric_id, period_end""",
        [area_code, as_at, metric_ids],
    ).df()


def _long(con, area_code: str, as_at: dt.date) -> pd.DataFrame:
    """Every force-level figure with its metric's label and domain (aggregates only)."""
    return con.execute(
        """
        select m.domain, v.metric_id, m.label, m.unit, v.period_end, v.period_type, v.value,
               v.numerator, v.denominator, v.is_sample, v.source
        from marts.metric_values v join reference.metrics m using (metric_id)
        where v.area_code = ? and v.period_end <= ?
        order by m.domain, v.metric_id, v.period_end""",
        [area_code, as_at],
    ).df()


COMPARABLE_UNITS = ("percent", "per 100k", "minutes", "seconds")


def _key_figures(con, area_code: str, as_at: dt.date) -> tuple[pd.DataFrame, list[str]]:
    """Latest figure of each metric with England and Wales and the peer-group mean for the same period
    (comparisons only for rates, percentages and times: counts of different-sized forces do not compare)."""
    peers: list[str] = []
    if db.has_table(con, "reference", "peer_groups"):
        peers = [
            r[0]
            for r in con.execute(
                "select peer_area_name from reference.peer_groups where area_code = ? order by peer_rank", [area_code]
            ).fetchall()
        ]
        peer_sql = """(select avg(p.value) from marts.metric_values p
                         join reference.peer_groups g on g.peer_area_code = p.area_code and g.area_code = f.area_code
                        where p.metric_id = f.metric_id and p.period_end = f.period_end
                          and p.period_type = f.period_type)"""
    else:
        peer_sql = "null::double"
    df = con.execute(
        f"""
        select m.domain, f.metric_id, m.label, m.unit, f.period_type, f.period_end, f.value, f.is_sample, f.source,
               case when list_contains(?, m.unit) then
                 (select e.value from marts.metric_values e where e.metric_id = f.metric_id and e.area_code = ?
                     and e.period_end = f.period_end and e.period_type = f.period_type) end as england_wales,
               case when list_contains(?, m.unit) then {peer_sql} end as peer_group
        from marts.metric_values f join reference.metrics m using (metric_id)
        where f.area_code = ? and f.period_end <= ?
        qualify row_number() over (partition by f.metric_id order by f.period_end desc,
                                   f.period_type = 'month' desc) = 1
        order by m.domain, f.metric_id""",
        [list(COMPARABLE_UNITS), ENGLAND_WALES, list(COMPARABLE_UNITS), area_code, as_at],
    ).df()
    return df, peers


def _changes(con, area_code: str) -> tuple[pd.DataFrame, str | None]:
    """Milestones whose status differs between the two newest builds in milestone_status_history."""
    empty = pd.DataFrame(columns=["milestone_id", "before", "now"])
    if not db.has_table(con, "marts", "milestone_status_history"):
        return empty, None
    status = "status" if "status" in _mart_columns(con, "milestone_status_history") else "rag_status"
    builds = [
        r[0]
        for r in con.execute(
            "select distinct built_at from marts.milestone_status_history where area_code = ? order by 1 desc limit 2",
            [area_code],
        ).fetchall()
    ]
    if len(builds) < 2:
        return empty, None
    df = con.execute(
        f"""
        select n.milestone_id, coalesce(b.{status}, 'not in register') as before, n.{status} as now
        from marts.milestone_status_history n
        left join marts.milestone_status_history b
          on b.milestone_id = n.milestone_id and b.built_at = ? and b.area_code = n.area_code
        where n.built_at = ? and n.area_code = ? and b.{status} is distinct from n.{status}
        order by 1""",
        [builds[1], builds[0], area_code],
    ).df()
    return df, f"{builds[1]:%-d %B %Y %H:%M}"


def _breakdowns(con, area_code: str, as_at: dt.date) -> dict[str, pd.DataFrame]:
    """Below-force (community safety partnership) counts of the sensitive domains, if built."""
    out = {}
    for domain, table in (("domestic_abuse", "fct_domestic_abuse_monthly"), ("hate_crime", "fct_hate_crime_monthly")):
        if not db.has_table(con, "marts", table):
            continue
        if "csp_code" not in _mart_columns(con, table):
            continue
        out[domain] = con.execute(
            f"select * from marts.{table} where area_code = ? and period_end <= ? order by period_end desc",
            [area_code, as_at],
        ).df()
    return out


# --- the numbered source list -------------------------------------------------------------------

_EDITION = re.compile(r"\(edition of (\d{1,2} \w+ \d{4})\)")
_WORD = re.compile(r"[a-z0-9]+")


def _parts(source: str) -> list[str]:
    """A metric_values.source text split into the publications it cites (figure, population, ...)."""
    text = source.removeprefix("Sum of the 43 forces: ")
    return [p.strip().removeprefix("population: ") for p in text.split(";") if p.strip()]


def _contract_for(part: str) -> tuple[contracts.Contract | None, str]:
    """The source contract and bundled file a cited publication comes from (best word overlap,
    with the edition date picking the file when the contract bundles several)."""
    words = set(_WORD.findall(part.lower()))
    best, score = None, 0.0
    for c in contracts.all_contracts().values():
        cw = set(
            _WORD.findall(
                f"{c.meta.get('publisher', '')} {c.meta.get('title', '')} {c.meta.get('url', '')} "
                f"{c.meta.get('licence', '')}".lower()
            )
        )
        s = len(words & cw) / (len(words) or 1)
        if "sample" in words and not c.is_sample:
            s -= 1
        if s > score:
            best, score = c, s
    if best is None:
        return None, ""
    files = best.meta.get("files") or []
    m = _EDITION.search(part)
    for f in files:
        v = f.get("vintage")
        if m and v and f"{pd.Timestamp(v):%-d %B %Y}" == m.group(1):
            return best, f["path"]
    return best, files[-1]["path"] if len(files) == 1 else ""


def _source_key(part: str) -> str:
    """Tables of one edition are one source: drop the ', Table_N' that distinguishes them."""
    return re.sub(r",? Table_\w+", "", part)


def number_sources(used: list[tuple[str, str]]) -> tuple[list[Source], dict[str, list[int]], dict[str, list[int]]]:
    """Number the distinct publications behind (metric_id, source text) pairs, real ones first.

    A publication is one bundled file of a source contract (so the tables of one edition, or the
    population figures of every year, are one entry). Returns the list, the numbers per metric and
    the numbers per source text.
    """
    entries: dict[tuple, Source] = {}
    per_text: dict[str, set[tuple]] = {}
    for _, text in used:
        if text in per_text:
            continue
        keys = set()
        for part in _parts(text):
            c, path = _contract_for(part)
            if c is None:
                key = ("", _source_key(part))
                entry = Source(0, "", _source_key(part), "", "", "", "SAMPLE" in part)
            else:
                key = (c.table, path)
                vintage = next((f.get("vintage") for f in c.meta.get("files") or [] if f["path"] == path), None)
                entry = Source(
                    0,
                    str(c.meta.get("publisher", "")),
                    str(c.meta.get("title", c.name)),
                    f"edition of {pd.Timestamp(vintage):%-d %B %Y}" if vintage else "",
                    str(c.meta.get("licence", "")),
                    path,
                    c.is_sample or "SAMPLE" in part,
                )
            keys.add(key)
            entries.setdefault(key, entry)
        per_text[text] = keys
    ordered = sorted(entries.items(), key=lambda kv: (kv[1].is_sample, kv[1].publisher, kv[1].title, kv[1].edition))
    numbers = {k: i for i, (k, _) in enumerate(ordered, start=1)}
    sources = [Source(numbers[k], s.publisher, s.title, s.edition, s.licence, s.file, s.is_sample) for k, s in ordered]
    by_text = {t: sorted(numbers[k] for k in keys) for t, keys in per_text.items()}
    by_metric: dict[str, set[int]] = {}
    for metric_id, text in used:
        by_metric.setdefault(metric_id, set()).update(by_text[text])
    return sources, {m: sorted(v) for m, v in by_metric.items()}, by_text


def cite(numbers: list[int]) -> str:
    """'[1, 4]' style reference to the numbered source list."""
    return "[" + ", ".join(str(n) for n in numbers) + "]" if numbers else ""
