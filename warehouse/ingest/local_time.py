"""Local clock times across the clock changes: how a contract's times without an offset become instants.

A force's telephony export writes wall-clock times in Europe/London without an offset (the call
log contract says ``timezone: Europe/London``). Twice a year that is ambiguous:

* **the repeated hour** (last Sunday of October, 01:00-01:59 happens twice): a time in it is the
  first occurrence (BST), unless that would put it before the event it follows in the same record
  (answered before received), then it is the second occurrence (GMT). So a 999 call received
  ``2023-10-29 01:59:52`` and answered ``01:00:03`` waited 11 s, not minus 59 minutes.
* **the missing hour** (last Sunday of March, 01:00-01:59 never shows): a time in it is read on the
  clock not yet changed (GMT), the same instant as an hour later in BST; times after it are BST.
  So a call received ``2024-03-31 00:59:58`` and answered ``02:00:04`` waited 6 s, not 3,606 s.

A time written with an offset (``2023-10-29T01:50:00+01:00``, ``2023-10-29T00:55:00Z``) names its
instant exactly, so no rule is needed: the loader stores its London wall-clock time in the column
(so the month a call belongs to is the London month, as for local times) and the instant itself in
a hidden raw column ``_<column>_utc`` (TIMESTAMPTZ, NULL for a local time). The waits (macro
``london_utc``'s ``exact``) and the gate's order check take that instant when there is one; a file
may mix both forms. DuckDB alone would keep an offset's digits and drop the offset (``...Z`` read as
London time), and take ``+25:00``: so the text is checked against ``TIMESTAMP_TEXT`` first.

The rule is written twice, here (Python and the gate's SQL) and in the dbt macro ``london_utc``
(``dbt_project/macros/local_time.sql``) that staging uses; tests/ingest/test_local_time.py checks that
both give the same instants on both clock changes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

ZONE = "Europe/London"
LONDON = ZoneInfo(ZONE)


# What a timestamp of a zoned contract may be: date and time (``T`` or a space; seconds and a fraction
# optional), then nothing (London wall-clock time), ``Z`` or an offset +HH:MM / -HH:MM up to 14 h.
TIMESTAMP_TEXT = (
    r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])?\s*$"
)
EXPECTED = (
    "a date and time YYYY-MM-DD HH:MM:SS in Europe/London local time, or with an offset "
    "(+01:00, -05:00, up to 14:00) or Z for UTC, e.g. 2023-10-29T01:50:00+01:00"
)
_HAS_OFFSET = r"(Z|[+-][0-9]{2}:[0-9]{2})\s*$"


def zoned(contract) -> bool:
    """Whether the contract's timestamps are wall-clock times in ``timezone`` (or carry an offset)."""
    return contract.meta.get("timezone") == ZONE


def utc_column(col: str) -> str:
    """The hidden raw column holding a timestamp column's exact instant (NULL for a local time)."""
    return f"_{col}_utc"


def utc_columns(contract) -> list[str]:
    return [utc_column(c.name) for c in contract.columns if c.data_type == "timestamp"] if zoned(contract) else []


def bad_text_sql(q: str) -> str:
    """SQL true for text of a zoned timestamp column ``q`` (a quoted name) that must be refused."""
    # the plain timestamp cast judges the date and time as the zoned one does (2023-02-30 fails both;
    # an offset's digits are read either way) at about half the cost
    return f"(not regexp_matches({q}, '{TIMESTAMP_TEXT}') or try_cast({q} as timestamp) is null)"


def wall_clock_sql(q: str) -> str:
    """The London wall-clock TIMESTAMP of text ``q``: an offset's instant in London, else the digits."""
    return (
        f"(case when regexp_matches({q}, '{_HAS_OFFSET}') then timezone('{ZONE}', {instant_sql(q)}) "
        f"else try_cast({q} as timestamp) end)"
    )


def instant_sql(q: str) -> str:
    """The exact TIMESTAMPTZ of text ``q`` that carries an offset or Z; NULL for a local time, and for
    an offset TIMESTAMP_TEXT refuses (DuckDB would read ``+01:60``; the row is quarantined anyway)."""
    return (
        f"(case when regexp_matches({q}, '{_HAS_OFFSET}') and regexp_matches({q}, '{TIMESTAMP_TEXT}') "
        f"then try_cast({q} as timestamptz) end)"
    )


def to_utc(local: dt.datetime, after: dt.datetime | None = None) -> dt.datetime:
    """The UTC instant of a naive London wall-clock time; ``after``: the UTC instant of the event this
    one follows (a time in the repeated hour is then the second occurrence if the first is earlier)."""
    first = local.replace(tzinfo=LONDON, fold=0)
    second = local.replace(tzinfo=LONDON, fold=1)
    t = first
    if (
        after is not None
        and first.astimezone(dt.UTC).replace(tzinfo=None) < after
        and first.utcoffset() != second.utcoffset()
    ):
        t = second
    return t.astimezone(dt.UTC).replace(tzinfo=None)


def utc_sql(col: str, after: str | None = None) -> str:
    """DuckDB SQL for ``to_utc`` of a TIMESTAMP column (a TIMESTAMPTZ); ``after`` is such an expression.
    DuckDB (ICU) reads a repeated time as its second occurrence and a missing one as GMT."""
    second = f"({col} at time zone '{ZONE}')"
    repeated = f"((({second} - interval 1 hour) at time zone '{ZONE}') = {col})"
    first = f"(case when {repeated} then {second} - interval 1 hour else {second} end)"
    if after is None:
        return first
    return f"(case when {repeated} and {first} < {after} then {second} else {first} end)"


def _near_a_change(col: str) -> str:
    """SQL true for a local time of column ``col`` within 00:00-02:59 on a last Sunday of March or
    October (the hours whose wall-clock order can differ from the order of their instants); NULL for NULL."""
    q = f'"{col}"'
    return f"(month({q}) in (3, 10) and day({q}) >= 25 and dayofweek({q}) = 0 and hour({q}) < 3)"


def event_times(contract_meta: dict) -> list[str]:
    return list(contract_meta.get("checks", {}).get("in_order", []))


def check_order(con, pending: list[tuple[int, str, str]], contract_of) -> dict[int, list[str]]:
    """Quarantine rows whose events run backwards once their local times are resolved (e.g. answered
    before received), for contracts with ``timezone`` and ``checks: in_order: [col, col, ...]``
    (each column not before the non-empty ones listed before it). One query per table for all its
    pending loads (a national call log is hundreds of loads; one scan each cost minutes)."""
    from warehouse.gate import quarantine

    out: dict[int, list[str]] = {}
    by_table: dict[str, dict[int, str]] = {}
    for load_id, table, file in pending:
        by_table.setdefault(table, {})[int(load_id)] = file
    for table, files in by_table.items():
        contract = contract_of(table)
        cols = event_times(contract.meta)
        if not cols or not zoned(contract):
            continue
        exprs: dict[str, str] = {}
        latest = None
        for c in cols:  # the exact instant of a time with an offset, else the rule
            rule = utc_sql(f'"{c}"', latest)
            exprs[c] = f'coalesce("{utc_column(c)}", {rule})'
            latest = exprs[c] if latest is None else f"coalesce({exprs[c]}, {latest})"
        # Away from the clock changes local times run in the order of their instants, so most rows
        # are compared as written; only times near a change, or sent with an offset, need the rule
        # (its time zone arithmetic on every row cost seconds per million calls).
        plain = {c: f'("{utc_column(c)}" is null and not {_near_a_change(c)})' for c in cols}
        # a time sent with an offset is shown as the UTC instant it was read as, a local one as written
        shown = {
            c: f"""coalesce(strftime(timezone('UTC', "{utc_column(c)}"), '%Y-%m-%d %H:%M:%SZ'), "{c}"::varchar)"""
            for c in cols
        }
        checks = []
        for i, b in enumerate(cols):
            for a in cols[:i]:
                checks.append(  # the pair's place in the contract's order: rows list their first breach first
                    f"select _load_id, _row_number, {len(checks)} as pair, '{a}, {b}' as cols, "
                    f"{shown[a]} || ' then ' || {shown[b]} "
                    f"from raw.{table} where _load_id between $lo and $hi and _load_id in (select unnest($ids)) "
                    f'and (case when {plain[a]} and {plain[b]} then "{a}" > "{b}" else {exprs[a]} > {exprs[b]} end)'
                )
        found = con.execute(
            " union all ".join(checks) + " order by 1, 2, 3", {"ids": sorted(files), "lo": min(files), "hi": max(files)}
        ).fetchall()
        per_load: dict[int, list[tuple[int, str, str]]] = {}
        for load_id, r, _, c, v in found:
            per_load.setdefault(load_id, []).append((r, c, v))
        reason = (
            f"events out of order once local times are read in {ZONE} (docs/force-feeds.md: the "
            f"repeated and the missing hour)"
        )
        for load_id, rows in per_load.items():
            file = files[load_id]
            quarantine.record(con, load_id, table, file, [(r, c, v, reason) for r, c, v in rows])
            at = list(dict.fromkeys(r for r, *_ in rows))
            out[load_id] = [
                f"{file}: {len(at):,} row(s) with {reason}; rows "
                + ", ".join(map(str, at[:5]))
                + f"; e.g. {rows[0][2]!r} ({rows[0][1]})"
            ]
    return out
