"""Issue 14, kind 5: local clock times across the clock changes (warehouse/ingest/local_time.py and the dbt
macro london_utc): the issue's two 999 waits are 11 s (clocks went back) and 6 s (clocks went forward)."""

from __future__ import annotations

import datetime as dt

import duckdb
import jinja2
import pytest

from conftest import PROJECT
from warehouse.core.errors import BadDataError
from warehouse.ingest import local_time
from warehouse.ingest.landing import land_file
from warehouse.orchestrate import pipeline

T = dt.datetime.fromisoformat
HEADER = "call_id,area_code,line,received_at,answered_at,ended_at,outcome,call_back_at,answer_target_seconds"
# (received, answered, ended, expected wait in seconds)
CALLS = {
    "2023-10": [
        ("2023-10-29 01:59:52", "2023-10-29 01:00:03", "2023-10-29 01:04:00", 11),  # the issue's: clocks back
        ("2023-10-29 01:10:00", "2023-10-29 01:10:20", "2023-10-29 01:15:00", 20),  # both in the first 01:xx
        ("2023-10-29 00:59:50", "2023-10-29 01:00:05", "2023-10-29 01:02:00", 15),  # into the repeated hour
        ("2023-10-29 01:59:59", "2023-10-29 02:00:01", "2023-10-29 02:03:00", 3602),
    ],  # 01:59:59 BST, 02:00:01 GMT
    "2024-03": [
        ("2024-03-31 00:59:58", "2024-03-31 02:00:04", "2024-03-31 02:05:00", 6),  # the issue's: clocks forward
        ("2024-03-31 00:30:00", "2024-03-31 00:30:09", "2024-03-31 00:35:00", 9),
    ],
}


def _file(tmp_path, month: str, calls, tag: str = "") -> object:
    f = tmp_path / f"calls_E23000029_{month}.csv"
    rows = [
        f"E23000029-{month}{tag}-{i},E23000029,999,{r},{a},{e},answered,,10" for i, (r, a, e, *_) in enumerate(calls)
    ]
    f.write_text("\n".join([HEADER, *rows]) + "\n")
    return f


def test_python_rule_gives_the_issue_waits():
    for calls in CALLS.values():
        for received, answered, _, wait in calls:
            r = local_time.to_utc(T(received))
            assert (local_time.to_utc(T(answered), after=r) - r).total_seconds() == wait, (received, answered)


def _macro_sql(ts: str, after: str | None = None, exact: str | None = None) -> str:
    src = (PROJECT / "dbt_project" / "macros" / "local_time.sql").read_text()
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    call = f"{{{{ london_utc({ts!r}, {after!r}, {exact!r}) }}}}".replace("None", "none")
    return env.from_string(src + call).render().strip()


def test_the_gate_sql_and_the_dbt_macro_agree_with_python():
    con = duckdb.connect()
    for calls in CALLS.values():
        for received, answered, _, wait in calls:
            row = con.execute(
                f"select date_diff('second', {local_time.utc_sql('r')}, {local_time.utc_sql('a', local_time.utc_sql('r'))}), "
                f"date_diff('second', {_macro_sql('r')}, {_macro_sql('a', _macro_sql('r'))}) "
                f"from (select timestamp '{received}' as r, timestamp '{answered}' as a)"
            ).fetchall()
            assert row == [(wait, wait)], (received, answered)


def test_calls_across_both_clock_changes_load_whole_and_wait_as_the_clock_says(var_dir, tmp_path):
    for month, calls in CALLS.items():
        land_file(_file(tmp_path, month, calls), "force_feeds__calls", dt.date(2024, 4, 7))
    pipeline.ingest(tables=["force_feeds__calls"])
    with duckdb.connect(str(var_dir / "build" / "working.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from meta.quarantine").fetchall() == [(0,)]
        waits = con.execute(
            f"select received_at::varchar, date_diff('second', {_macro_sql('received_at')}, "
            f"{_macro_sql('answered_at', _macro_sql('received_at'))}) "
            "from raw.force_feeds__calls order by received_at"
        ).fetchall()
    expected = sorted((r, w) for calls in CALLS.values() for r, _, _, w in calls)
    assert waits == expected


def test_a_call_answered_before_it_was_received_on_an_ordinary_day_is_quarantined(var_dir, tmp_path, capsys):
    calls = [("2023-10-28 01:59:52", "2023-10-28 01:00:03", "2023-10-28 01:04:00", None)] + [
        (f"2023-10-28 0{h}:00:00", f"2023-10-28 0{h}:00:09", f"2023-10-28 0{h}:03:00", 9) for h in range(2, 10)
    ] * 7
    land_file(_file(tmp_path, "2023-10", calls), "force_feeds__calls", dt.date(2023, 11, 7))
    pipeline.ingest(tables=["force_feeds__calls"])  # 1 of 57 rows: within the 2% a call log may have quarantined
    assert (
        "calls_E23000029_2023-10.csv: 1 row(s) with events out of order once local times are read in "
        "Europe/London (docs/force-feeds.md: the repeated and the missing hour); rows 1; "
        "e.g. '2023-10-28 01:59:52 then 2023-10-28 01:00:03' (received_at, answered_at)"
    ) in capsys.readouterr().out
    with duckdb.connect(str(var_dir / "build" / "working.duckdb"), read_only=True) as con:
        assert con.execute(
            "select distinct row_number, status from meta.quarantine join meta.loads using (load_id)"
        ).fetchall() == [(1, "accepted")]


# Times sent with an offset or Z are exact (the hidden _<col>_utc), local ones keep the rule; one file may mix them.
# (received, answered, ended, expected wait in seconds, London wall-clock received_at as raw stores it)
EXACT = {
    "2023-10": [
        # the issue's: 00:50 UTC to 01:55 UTC; the digits alone (01:50 then 01:55) would say 5 min
        ("2023-10-29T01:50:00+01:00", "2023-10-29T01:55:00Z", "2023-10-29T02:00:00Z", 3900, "2023-10-29 01:50:00"),
        # a +01:00 time before the change, a Z time after it: 00:45 UTC to 01:15 UTC
        ("2023-10-29T01:45:00+01:00", "2023-10-29T01:15:00Z", "2023-10-29T01:20:00Z", 1800, "2023-10-29 01:45:00"),
        # both in the repeated hour, first BST then GMT: 00:10 UTC to 01:20 UTC (the rule would say 600 s)
        (
            "2023-10-29T01:10:00+01:00",
            "2023-10-29T01:20:00+00:00",
            "2023-10-29T01:25:00+00:00",
            4200,
            "2023-10-29 01:10:00",
        ),
        # mixed: an exact received time, a local answered time read by the rule after it (its second 01:00)
        ("2023-10-29T00:59:52Z", "2023-10-29 01:00:03", "2023-10-29 01:04:00", 11, "2023-10-29 01:59:52"),
        # a plain local row in the same file keeps today's rule
        ("2023-10-29 01:59:52", "2023-10-29 01:00:03", "2023-10-29 01:04:00", 11, "2023-10-29 01:59:52"),
        # 23:30 UTC on 30 September is 00:30 BST on 1 October: an October call in London
        ("2023-09-30T23:30:00Z", "2023-09-30T23:30:07Z", "2023-09-30T23:35:00Z", 7, "2023-10-01 00:30:00"),
    ],
    "2024-03": [
        # clocks forward: 00:59:58 UTC to 01:00:04 UTC
        ("2024-03-31T00:59:58Z", "2024-03-31T02:00:04+01:00", "2024-03-31T02:05:00+01:00", 6, "2024-03-31 00:59:58"),
    ],
}
# Answered (00:40 UTC) before received (01:10 UTC), though the digits read 01:10 then 01:40: the gate must see it.
BACKWARDS = ("2023-10-29T01:10:00+00:00", "2023-10-29T01:40:00+01:00", "2023-10-29T01:45:00+01:00")
ORDINARY = [(f"2023-10-28 0{h}:00:00", f"2023-10-28 0{h}:00:09", f"2023-10-28 0{h}:03:00") for h in range(2, 10)] * 7


def _exact_wait_sql() -> str:
    received = _macro_sql("received_at", exact="_received_at_utc")
    return f"date_diff('second', {received}, {_macro_sql('answered_at', received, exact='_answered_at_utc')})"


def test_times_with_an_offset_or_z_are_exact_in_waits_months_and_the_order_check(var_dir, tmp_path, capsys):
    october = [c[:3] for c in EXACT["2023-10"]] + [BACKWARDS] + ORDINARY  # 1 of 63 rows out of order
    land_file(_file(tmp_path, "2023-10", october), "force_feeds__calls", dt.date(2023, 11, 7))
    land_file(_file(tmp_path, "2024-03", EXACT["2024-03"]), "force_feeds__calls", dt.date(2024, 4, 7))
    pipeline.ingest(tables=["force_feeds__calls"])
    assert "e.g. '2023-10-29 01:10:00Z then 2023-10-29 00:40:00Z' (received_at, answered_at)" in capsys.readouterr().out
    with duckdb.connect(str(var_dir / "build" / "working.duckdb"), read_only=True) as con:
        assert con.execute(
            "select l.source_file, q.row_number, q.column_name from meta.quarantine q join meta.loads l using (load_id)"
        ).fetchall() == [
            ("calls_E23000029_2023-10.csv", len(EXACT["2023-10"]) + 1, "received_at, answered_at"),
            ("calls_E23000029_2023-10.csv", len(EXACT["2023-10"]) + 1, "received_at, ended_at"),
        ]
        assert con.execute("select distinct status from meta.loads").fetchall() == [("accepted",)]
        got = con.execute(
            f"select _source_file, _row_number, received_at::varchar, {_exact_wait_sql()}, "
            "strftime(received_at, '%Y-%m') from raw.force_feeds__calls where _row_number <= ? "
            "order by _source_file, _row_number",
            [len(EXACT["2023-10"])],
        ).fetchall()
    expected = [
        (f"calls_E23000029_{month}.csv", i, local, wait, month)
        for month, calls in EXACT.items()
        for i, (*_, wait, local) in enumerate(calls, start=1)
    ]
    assert got == expected


def test_a_malformed_offset_is_refused_naming_file_row_column_value_and_expected(var_dir, tmp_path):
    calls = [
        ("2023-10-29T01:50:00+01:00", "2023-10-29T01:55:00Z", "2023-10-29T02:00:00Z"),
        ("2023-10-29T01:50:00+01:00", "2023-10-29T01:55:00+25:00", "2023-10-29T02:00:00Z"),
    ]
    land_file(_file(tmp_path, "2023-10", calls), "force_feeds__calls", dt.date(2023, 11, 7))
    with pytest.raises(BadDataError) as e:
        pipeline.ingest(tables=["force_feeds__calls"])
    assert str(e.value).splitlines()[0] == (
        f"calls_E23000029_2023-10.csv: column 'answered_at' expects timestamp values ({local_time.EXPECTED}) "
        "but 1 row(s) are not: row 2: '2023-10-29T01:55:00+25:00'"
    )
    with duckdb.connect(str(var_dir / "build" / "working.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.force_feeds__calls").fetchall() == [(0,)]
        assert con.execute("select status from meta.loads").fetchall() == [("rejected",)]


def test_the_gate_sql_takes_the_exact_instant_when_there_is_one():
    con = duckdb.connect()
    con.execute(
        "create table t as select timestamp '2023-10-29 01:50:00' as r, timestamp '2023-10-29 01:55:00' as a, "
        "timestamptz '2023-10-29 00:50:00+00' as _r_utc, timestamptz '2023-10-29 01:55:00+00' as _a_utc"
    )
    received = _macro_sql("r", exact="_r_utc")
    assert con.execute(
        f"select date_diff('second', {received}, {_macro_sql('a', received, exact='_a_utc')}), "
        f"date_diff('second', {_macro_sql('r')}, {_macro_sql('a', _macro_sql('r'))}) from t"
    ).fetchall() == [(3900, 300)]  # exact, and what the digits alone would give


def test_one_malformed_offset_in_a_large_file_is_quarantined_and_the_exact_rows_still_load(var_dir, tmp_path):
    """A file with a finding is loaded row by row (load_file, not the batch insert): exact there too."""
    calls = [EXACT["2023-10"][0][:3], ("2023-10-29T01:50:00+01:00", "2023-10-29T01:55:00+01:60", "")] + ORDINARY
    land_file(_file(tmp_path, "2023-10", calls), "force_feeds__calls", dt.date(2023, 11, 7))
    pipeline.ingest(tables=["force_feeds__calls"])  # 1 of 58 rows: within the 2%
    with duckdb.connect(str(var_dir / "build" / "working.duckdb"), read_only=True) as con:
        assert con.execute("select row_number, column_name, value from meta.quarantine").fetchall() == [
            (2, "answered_at", "2023-10-29T01:55:00+01:60")
        ]
        assert con.execute(
            f"select received_at::varchar, {_exact_wait_sql()} from raw.force_feeds__calls where _row_number = 1"
        ).fetchall() == [("2023-10-29 01:50:00", 3900)]


def test_the_order_check_compares_most_rows_as_written_and_still_follows_the_rule_near_each_change(monkeypatch):
    """The gate's order check takes a shortcut for times away from a clock change (compared as
    written); every pair of times 10 minutes apart from 23:00 to 04:00 around both changes and on an
    ordinary day is flagged exactly when the Python rule says its events run backwards."""
    from warehouse.core import contracts
    from warehouse.gate import quarantine

    grid = []
    for day in ("2023-10-29", "2024-03-31", "2023-06-11"):
        start = T(day) - dt.timedelta(hours=1)
        grid += [start + dt.timedelta(minutes=10 * i) for i in range(31)]
    pairs = [(r, a) for r in grid for a in grid if abs((a - r).total_seconds()) <= 3 * 3600]
    expected = set()
    for i, (r, a) in enumerate(pairs, start=1):
        r_utc = local_time.to_utc(r)
        if local_time.to_utc(a, after=r_utc) < r_utc:
            expected.add(i)
    con = duckdb.connect()
    con.execute("create schema raw")
    con.execute(
        "create table raw.force_feeds__calls (_load_id bigint, _row_number bigint, received_at timestamp, "
        "answered_at timestamp, ended_at timestamp, _received_at_utc timestamptz, _answered_at_utc timestamptz, "
        "_ended_at_utc timestamptz)"
    )
    con.executemany(
        "insert into raw.force_feeds__calls values (1, ?, ?, ?, null, null, null, null)",
        [(i, r, a) for i, (r, a) in enumerate(pairs, start=1)],
    )
    flagged = []
    monkeypatch.setattr(quarantine, "record", lambda con, load_id, table, file, rows: flagged.extend(rows))
    local_time.check_order(con, [(1, "force_feeds__calls", "calls.csv")], contracts.get)
    assert expected and {r for r, *_ in flagged} == expected
    assert len(expected) < len(pairs) // 2  # the grid holds both orders, not only backwards pairs


def test_waits_read_as_written_away_from_a_change_and_by_the_rule_near_one():
    """The staging wait (macro london_seconds_between) reads two times on one ordinary day as written
    and takes the rule otherwise: every pair 10 minutes apart from 22:00 to 05:00 around both changes
    and an ordinary day, with and without an exact instant, gives the Python rule's seconds."""
    src = (PROJECT / "dbt_project" / "macros" / "local_time.sql").read_text()
    env = jinja2.Environment(extensions=["jinja2.ext.do"])
    wait = env.from_string(src + "{{ london_seconds_between('r', 'a', '_r_utc', '_a_utc') }}").render().strip()
    grid = []
    for day in ("2023-10-29", "2024-03-31", "2023-06-11"):
        start = T(day) - dt.timedelta(hours=2)
        grid += [start + dt.timedelta(minutes=10 * i) for i in range(43)]
    pairs = [(r, a) for r in grid for a in grid if dt.timedelta(0) <= a - r <= dt.timedelta(hours=3)]
    con = duckdb.connect()
    con.execute("create table t (i int, r timestamp, a timestamp, _r_utc timestamptz, _a_utc timestamptz)")
    con.executemany("insert into t values (?, ?, ?, null, null)", [(i, r, a) for i, (r, a) in enumerate(pairs)])
    # an exact instant on the received side: 10 minutes before the answer's instant by the rule
    con.execute(
        "insert into t select i + 100000, r, a, "
        f"{local_time.utc_sql('a', local_time.utc_sql('r'))} - interval 10 minute, null from t"
    )
    got = dict(con.execute(f"select i, {wait} from t").fetchall())
    for i, (r, a) in enumerate(pairs):
        r_utc = local_time.to_utc(r)
        expected = (local_time.to_utc(a, after=r_utc) - r_utc).total_seconds()
        assert got[i] == expected, (r, a)
        assert got[i + 100000] == 600, (r, a)
    assert any(got[i] != (a - r).total_seconds() for i, (r, a) in enumerate(pairs))  # the rule mattered
