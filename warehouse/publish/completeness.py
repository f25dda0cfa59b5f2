"""Holds: new force-periods that look incomplete or out of all proportion, stopped like a move.

Run by the audit (``warehouse/publish/audit.py``) on the freshly built working database, for each force and
period that is not in the last publication (a new month, or one a restatement brought):

* **volume**: a count more than ``max_ratio`` times, or under 1/``max_ratio`` of, the mean of the
  same force's previous ``history`` periods (a month of calls 20 times the last, a police.uk
  force-month with a tiny fraction of its usual records);
* **members**: a force-month missing expected members: a community safety partnership of the force
  in the ONS lookup, or days of the month.

Either stops the build naming source, area, period and the ratio or the missing members, unless
it runs with ``pcp build --accept-moves``: then each hold is printed and recorded in ``meta.holds``
with the version. Limits and sources live in ``warehouse/core/reliability.yml`` (``holds``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.core import db, limits, meta_tables


@dataclass(frozen=True)
class Hold:
    source: str
    area_code: str
    period_end: dt.date
    reason: str

    def __str__(self) -> str:
        return f"{self.source} {self.area_code} {self.period_end:%Y-%m}: {self.reason}"


def _exists(con, database: str, relation: str) -> bool:
    return db.has_table(con, *relation.split("."), database=database)


def _relation_ok(con, relation: str) -> bool:
    return db.has_table(con, *relation.split("."))


def _new(relation: str, published: bool, period: str = "period_end") -> str:
    """Force-periods of ``relation`` in this build that the publication does not hold."""
    old = f"except select distinct area_code, {period} from pub.{relation}" if published else ""
    return f"(select distinct area_code, {period} as period_end from {relation} {old})"


def find(con: duckdb.DuckDBPyConnection, published: Path) -> list[Hold]:
    cfg = limits.settings().get("holds") or {}
    attached = published.exists()
    if attached:
        con.execute(f"attach {db.literal(published)} as pub (read_only)")  # ATTACH takes no parameters
    try:
        holds = _volume(con, cfg.get("volume") or {}, attached) + _members(con, cfg.get("members") or {}, attached)
    finally:
        if attached:
            con.execute("detach pub")
    return sorted(holds, key=lambda h: (h.source, h.area_code, h.period_end))


def _volume(con, cfg: dict, attached: bool) -> list[Hold]:
    ratio, history, base = float(cfg.get("max_ratio", 5)), int(cfg.get("history", 3)), float(cfg.get("min_base", 20))
    out = []
    for source, s in (cfg.get("sources") or {}).items():
        rel = s["relation"]
        if not _relation_ok(con, rel):
            continue
        pub = attached and _exists(con, "pub", rel)  # else every force-period here is new
        where = f"where {s['where']}" if s.get("where") else ""
        rows = con.execute(
            f"""
            with counts as (
                select area_code, period_end, sum({s["count"]}) as n from {rel} {where} group by all
            ),
            ranked as (
                select *, avg(n) over (partition by area_code order by period_end
                                       rows between {history} preceding and 1 preceding) as usual
                from counts
            )
            select r.area_code, r.period_end, r.n, r.usual from ranked r
            join {_new(rel, pub)} as new using (area_code, period_end)
            where r.usual >= ? and (r.n > r.usual * ? or r.n < r.usual / ?)
            order by 1, 2""",
            [base, ratio, ratio],
        ).fetchall()
        for area, period, n, usual in rows:
            out.append(
                Hold(
                    source,
                    area,
                    period,
                    f"{n:,.0f} against a usual {usual:,.0f} (mean of up to {history} "
                    f"previous periods): ratio {n / usual:.2f}, outside 1/{ratio:g} to "
                    f"{ratio:g} (warehouse/core/reliability.yml holds.volume)",
                )
            )
    return out


def _expected_sql(kind: str) -> str:
    if kind == "csps":
        return "(select distinct PFA16CD as area_code, CSP16CD as member from reference.lad16_csp16_pfa16)"
    raise ValueError(kind)


def _members(con, cfg: dict, attached: bool) -> list[Hold]:
    out = []
    for source, s in cfg.items():
        rel, member, twin = s["relation"], s["member"], s.get("published", s["relation"])
        if not _relation_ok(con, rel):
            continue
        found = f"(select distinct area_code, period_end, ({member})::varchar as member from {rel})"
        new = f"(select distinct area_code, period_end from {rel}"
        if attached and _exists(con, "pub", twin):  # a published build holds the force-months in `published`
            new += f" except select distinct area_code, period_end from pub.{twin}"
        new += ")"
        if s["expected"] == "days":
            # A day with nothing is only evidence of a gap when the month's volume makes an empty day
            # implausible: at `min_per_day` (mean a day) or more, Poisson gives P(0) <= e^-10 for a day.
            volume, floor = s.get("volume", "count(*)"), float(s.get("min_per_day", 10))
            dense = (
                f"(select n.area_code, n.period_end from {new} as n join (select area_code, period_end, "
                f"{volume} as v from {rel} group by all) as k using (area_code, period_end) "
                f"where k.v >= {floor} * day(n.period_end))"
            )
            expected = (
                f"(select n.area_code, n.period_end, unnest(generate_series(date_trunc('month', n.period_end), "
                f"n.period_end, interval 1 day))::date::varchar as member from {dense} as n)"
            )
        else:
            expected = (
                f"(select n.area_code, n.period_end, e.member from {new} as n "
                f"join {_expected_sql(s['expected'])} as e using (area_code))"
            )
        rows = con.execute(f"""
            select area_code, period_end, list(member order by member), count(*)
            from (select * from {expected} except select * from {found})
            group by all order by 1, 2""").fetchall()
        what = {
            "csps": "community safety partnership(s) of the force in the ONS lookup",
            "days": "day(s) of the month with no rows",
        }[s["expected"]]
        for area, period, missing, n in rows:
            shown = ", ".join(missing[:8]) + (f" ... ({n - 8} more)" if n > 8 else "")
            out.append(Hold(source, area, period, f"incomplete: {n} {what} missing: {shown}"))
    return out


def record(con: duckdb.DuckDBPyConnection, version: str, holds: list[Hold], how: str) -> None:
    con.execute(meta_tables.HOLDS)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if holds:
        con.executemany(
            "insert into meta.holds values (?, ?, ?, ?, ?, ?, ?)",
            [(version, h.source, h.area_code, h.period_end, h.reason, how, now) for h in holds],
        )
