"""The audit between ``dbt build`` and publish (write-audit-publish). It reads the freshly built
working database and, for the publication it is about to replace, the published one. Publish only
if every check passes:

* every accepted load reconciles: rows read = rows in raw, and rows in raw = rows accepted + rows
  quarantined (nothing is dropped without a count);
* totals are the sum of their parts: England and Wales = the sum of the force figures for additive
  units (``reconciliation`` in ``warehouse/core/reliability.yml``);
* holds: no new force-period is incomplete (expected members missing) or out of all proportion to
  its own history (``warehouse/publish/completeness.py``), unless the build acknowledges it as for moves;
* movement: no figure already published moves by more than its limit (``movement``), or
  disappears, unless the build acknowledges it (``pcp build --accept-moves``); acknowledged moves
  are recorded in ``meta.movements`` with the version and printed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse.core import db, limits, meta_tables
from warehouse.core.errors import BadDataError
from warehouse.publish import completeness

EW = "K04000001"


class AuditError(BadDataError):
    """The built data failed the audit; nothing was published. Retrying cannot help (an Airflow task
    fails at once): fix the data, or acknowledge the moves with ``pcp build --accept-moves``."""


@dataclass
class Move:
    metric_id: str
    area_code: str
    period_end: dt.date
    period_type: str | None
    old: float
    new: float | None
    limit_pct: float

    @property
    def change_pct(self) -> float | None:
        if self.new is None or not self.old:
            return None
        return (self.new - self.old) / abs(self.old) * 100

    def __str__(self) -> str:
        what = (
            "withdrawn"
            if self.new is None
            else (
                f"{self.old:,.2f} -> {self.new:,.2f} ({self.change_pct:+.1f}%)"
                if self.change_pct is not None
                else f"{self.old:,.2f} -> {self.new:,.2f}"
            )
        )
        return f"{self.metric_id} {self.area_code} {self.period_end}: {what}, limit {self.limit_pct:g}%"


@dataclass
class AuditResult:
    loads_checked: int = 0
    totals_checked: int = 0
    figures_compared: int = 0
    moves: list[Move] = field(default_factory=list)
    holds: list = field(default_factory=list)  # completeness.Hold: incomplete or out-of-proportion new periods
    failures: list[str] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            "loads_reconciled": self.loads_checked,
            "totals_checked": self.totals_checked,
            "figures_compared": self.figures_compared,
            "big_moves": len(self.moves),
            "holds": [str(h) for h in self.holds],
            "failures": self.failures,
        }

    def __str__(self) -> str:
        return (
            f"audit: {self.loads_checked} loads reconciled, {self.totals_checked} E&W totals = sum of forces, "
            f"{self.figures_compared:,} published figures compared, {len(self.moves)} big move(s)"
        )


def reconcile_loads(con: duckdb.DuckDBPyConnection) -> tuple[int, list[str]]:
    """One grouped scan per raw table (not three queries per load: a national call log has hundreds)."""
    out, checked = [], 0
    tables = [
        t
        for (t,) in con.execute(
            "select distinct source_table from meta.loads where status = 'accepted' order by 1"
        ).fetchall()
    ]
    for table in tables:
        rows = con.execute(
            f"""
            with quarantined as (select distinct load_id, row_number from meta.quarantine),
            counted as (
                select r._load_id as load_id, count(*) as raw, count(*) filter (where q.load_id is null) as accepted
                from raw.{table} as r
                left join quarantined as q on q.load_id = r._load_id and q.row_number = r._row_number
                where r._load_id in (select load_id from meta.loads where status = 'accepted' and source_table = ?)
                group by r._load_id
            )
            select l.load_id, l.source_file, l.rows_read, coalesce(c.raw, 0), coalesce(c.accepted, 0),
                   (select count(*) from quarantined as q where q.load_id = l.load_id)
            from meta.loads as l left join counted as c using (load_id)
            where l.status = 'accepted' and l.source_table = ?
            order by l.load_id""",
            [table, table],
        ).fetchall()
        checked += len(rows)
        for load_id, file, rows_read, raw, accepted, q in rows:
            if not (rows_read == raw == accepted + q):
                out.append(
                    f"load {load_id} ({file} -> raw.{table}) does not reconcile: {rows_read:,} rows read, "
                    f"{raw:,} in raw, {accepted:,} accepted + {q:,} quarantined"
                )
    return checked, out


def reconcile_totals(con: duckdb.DuckDBPyConnection) -> tuple[int, list[str]]:
    cfg = limits.settings().get("reconciliation", {})
    units, tol = list(cfg.get("sum_units", [])), float(cfg.get("tolerance", 0.5))
    not_sums = list(cfg.get("not_sums", [])) or [""]
    rows = con.execute(
        f"""
        with parts as (
            select metric_id, period_end, period_type, count(distinct area_code) as forces, sum(value) as total
            from marts.metric_values
            where area_code in (select area_code from reference.forces) and value is not null
            group by all
        )
        select e.metric_id, e.period_end, e.period_type, e.value, p.forces, p.total
        from marts.metric_values e
        left join parts p using (metric_id, period_end, period_type)
        where e.area_code = '{EW}' and e.unit in (select unnest(?::varchar[]))
          and e.metric_id not in (select unnest(?::varchar[]))
    """,
        [units, not_sums],
    ).fetchall()
    out = []
    for metric, period, ptype, ew, forces, total in rows:
        if forces and abs(ew - total) > tol:  # a national-only series has no force figures to add up
            out.append(
                f"{metric} {period} ({ptype}): England and Wales = {ew:,.2f} but its {forces} forces sum to "
                f"{total:,.2f} (expected equal within {tol})"
            )
    return len(rows), out


def movements(con: duckdb.DuckDBPyConnection, published: Path) -> tuple[int, list[Move]]:
    """Figures in the current publication that the new build moves past their limit or withdraws."""
    if not published.exists():
        return 0, []
    cfg = limits.settings().get("movement", {})
    min_abs = float(cfg.get("min_abs_change", 0))
    con.execute(f"attach {db.literal(published)} as pub (read_only)")  # ATTACH takes no parameters
    try:
        if not con.execute(
            "select count(*) from duckdb_tables() where database_name = 'pub' "
            "and schema_name = 'marts' and table_name = 'metric_values'"
        ).fetchall()[0][0]:
            return 0, []
        compared = con.execute("select count(*) from pub.marts.metric_values").fetchall()[0][0]
        rows = con.execute(
            """
            select o.metric_id, o.area_code, o.period_end, o.period_type, o.value, n.value
            from pub.marts.metric_values o
            left join marts.metric_values n using (metric_id, area_code, period_end, period_type)
            where o.value is not null
              and (n.value is null or abs(n.value - o.value) > ?)
            order by all
        """,
            [min_abs],
        ).fetchall()
    finally:
        con.execute("detach pub")
    moves = []
    for metric, area, period, ptype, old, new in rows:
        limit = limits.max_move_pct(metric)
        if new is None or old == 0 or abs(new - old) / abs(old) * 100 > limit:
            moves.append(Move(metric, area, period, ptype, old, new, limit))
    return compared, moves


def sample_id_clashes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """A metric id is SAMPLE or real, never both: a real source that reuses a SAMPLE metric's id (or the
    reverse) would mix generated and force figures in one series. Also the id's label in
    reference.metrics (seeds/reference/metrics.csv) says ``(SAMPLE)`` exactly when its figures are
    SAMPLE. Returns one message per clash, naming the metric and both sides' sources."""
    rows = con.execute("""
        select v.metric_id, bool_or(v.is_sample), bool_or(not v.is_sample), any_value(m.label),
               list(distinct v.source) filter (where v.is_sample), list(distinct v.source) filter (where not v.is_sample)
        from marts.metric_values as v left join reference.metrics as m using (metric_id)
        group by v.metric_id order by v.metric_id""").fetchall()
    out = []
    for metric_id, some_sample, some_real, label, sample_from, real_from in rows:

        def few(xs):
            xs = sorted(xs or [])
            return "; ".join(x[:120] for x in xs[:2]) + (f"; ... {len(xs) - 2} more" if len(xs) > 2 else "")

        if some_sample and some_real:
            out.append(
                f"metric_id {metric_id!r} has SAMPLE figures (source: {few(sample_from)}) and real figures "
                f"(source: {few(real_from)}): give the real metric its own id in seeds/reference/metrics.csv"
            )
        elif label is not None and some_sample != ("(SAMPLE)" in label):
            side = f"SAMPLE (source: {few(sample_from)})" if some_sample else f"real (source: {few(real_from)})"
            out.append(
                f"metric_id {metric_id!r}: its figures are {side} but its label in seeds/reference/metrics.csv "
                f"is {label!r}; a SAMPLE metric's label ends '(SAMPLE)' and only a SAMPLE metric's does"
            )
    return out


def run(con: duckdb.DuckDBPyConnection, published: Path, accept_moves: bool = False) -> AuditResult:
    res = AuditResult()
    res.loads_checked, f1 = reconcile_loads(con)
    res.totals_checked, f2 = reconcile_totals(con)
    res.figures_compared, res.moves = movements(con, published)
    res.failures = sample_id_clashes(con) + f1 + f2
    res.holds = completeness.find(con, published)
    if res.holds and not accept_moves:
        res.failures.append(
            f"{len(res.holds)} new period(s) held as incomplete or out of proportion (warehouse/core/reliability.yml "
            f"holds):\n"
            + "\n".join(f"  {h}" for h in res.holds[:20])
            + (f"\n  ... and {len(res.holds) - 20} more" if len(res.holds) > 20 else "")
            + "\nIf they are right, run `pcp build --accept-moves` to publish them; they are recorded in meta.holds"
        )
    if res.moves and not accept_moves:
        shown = "\n".join(f"  {m}" for m in res.moves[:20])
        more = f"\n  ... and {len(res.moves) - 20} more" if len(res.moves) > 20 else ""
        res.failures.append(
            f"{len(res.moves)} published figure(s) would move past their limit (warehouse/core/reliability.yml) "
            f"or be withdrawn:\n{shown}{more}\nIf these are expected (e.g. a restatement), run "
            f"`pcp build --accept-moves` to publish them; they are recorded in meta.movements"
        )
    if res.failures:
        raise AuditError("audit failed, nothing published:\n" + "\n".join(res.failures))
    return res


def record_moves(con: duckdb.DuckDBPyConnection, version: str, moves: list[Move], how: str) -> None:
    con.execute(meta_tables.MOVEMENTS)
    if not moves:
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.executemany(
        "insert into meta.movements values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                version,
                m.metric_id,
                m.area_code,
                m.period_end,
                m.period_type,
                m.old,
                m.new,
                m.change_pct,
                m.limit_pct,
                how,
                now,
            )
            for m in moves
        ],
    )
