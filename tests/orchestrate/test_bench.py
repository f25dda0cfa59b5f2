"""`make bench` at a tiny size: the warehouse, the pandas baseline and the DuckDB floor must give the
same headline figures on the same generated files. Timings are the benchmark's business, not a test's."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from benchmarks import headline, run


def test_three_paths_agree_on_a_tiny_national_call_log(tmp_path):
    """Across a clock change too: the warehouse reads the times as Europe/London, so a sample call
    written at a local time that never existed would be quarantined there and counted by the others."""
    out = tmp_path / "results"
    code = run.main(
        [
            "--sizes",
            "20k",
            "--months",
            "2",
            "--first",  # March 2022 holds the spring clock change (the skipped hour, 27 March 01:00-01:59)
            "2022-03-01",
            "--no-increment",
            "--no-dag-parse",
            "--out",
            str(out),
            "--keep",
            str(tmp_path / "work"),
        ]
    )
    doc = json.loads((out / "results.json").read_text())
    (res,) = doc["results"]
    assert res["problems"] == [] and res["agree"] and code == 0
    assert set(res["paths"]) == {"warehouse", "pandas", "floor"}
    assert 15_000 < res["rows"] < 25_000 and res["generate"]["files"] == 43 * 2
    # every force, both months, every headline metric (a percentage is left out where a small force
    # had no 999 calls in the month at this scale)
    assert 43 * 2 * (len(headline.METRICS) - 1) <= res["figures_compared"] <= 43 * 2 * len(headline.METRICS)
    work = tmp_path / "work" / "20000" / "work"
    wh = pd.read_parquet(work / "warehouse.parquet")
    assert (
        wh.loc[wh.metric_id == "calls_101_received", "value"].sum()
        + wh.loc[wh.metric_id == "calls_999_received", "value"].sum()
        == res["rows"]
    )
    # the files hold calls on the day the clocks went forward, and none at a time that day never had
    import duckdb

    on_the_day = duckdb.sql(
        f"select count(*), count(*) filter (where hour(received_at) = 1) from "
        f"read_csv('{tmp_path / 'work' / '20000' / 'calls' / '*.csv'}') where received_at::date = date '2022-03-27'"
    ).fetchall()[0]
    assert on_the_day[0] > 100 and on_the_day[1] == 0
    md = (out / "results.md").read_text()
    assert all(f"| {m} |" in md for m in ("floor", "warehouse", "pandas")) and (out / "scaling.png").stat().st_size
    # the publish is timed on its own and every target is judged, met or not (none unmeasured but +1 month)
    assert res["paths"]["warehouse"]["stages"]["publish"] > 0
    verdicts = {name: met for name, met, _ in res["targets"]}
    assert "publish under 1s" in verdicts and "peak memory under 4 GiB" in verdicts
    assert [n for n, met in verdicts.items() if met is None] == ["+1 month at most 10% of a full build"]
    assert "| publish under 1s | " in md


def test_compare_names_a_wrong_figure_and_a_missing_one():
    rows = [
        ("calls_101_received", "E23000001", "2021-04-30", 100.0),
        ("calls_101_mean_wait_minutes", "E23000001", "2021-04-30", 5.123456789),
    ]
    a = pd.DataFrame(rows, columns=headline.COLUMNS)
    assert headline.compare(a, a.copy(), "same") == []
    b = a.copy()
    b.loc[0, "value"] = 101.0  # a count one out
    b.loc[1, "value"] = 5.123456789 * (1 + 1e-12)  # float noise within tolerance
    (problem,) = headline.compare(a, b, "off by one")
    assert "1 figure(s) differ" in problem and "100.0 vs 101.0" in problem
    (missing,) = headline.compare(a, b.iloc[1:], "missing")
    assert "1 figure(s) missing" in missing


def test_pandas_and_the_floor_read_times_across_the_autumn_change_as_the_warehouse_does(tmp_path):
    """A 101 call received at 01:59:00 BST on 30 October 2022 and answered at 01:01:00 GMT waited 2
    minutes, not minus 58 (warehouse/ingest/local_time.py); one received at 00:59:58 and answered at
    01:00:04 (first occurrence) waited 6 s."""
    header = "call_id,area_code,line,received_at,answered_at,ended_at,outcome,call_back_at,answer_target_seconds\n"
    rows = [
        "a,E23000029,101,2022-10-30 01:59:00,2022-10-30 01:01:00,2022-10-30 01:05:00,answered,,300\n",
        "b,E23000029,101,2022-10-30 00:59:58,2022-10-30 01:00:04,2022-10-30 01:02:00,answered,,300\n",
    ]
    f = tmp_path / "calls_E23000029_2022-10.csv"
    f.write_text(header + "".join(rows))
    for figures in (headline.floor_figures(tmp_path), headline.pandas_figures([f])):
        v = figures.set_index("metric_id")["value"]
        assert v["calls_101_mean_wait_minutes"] == pytest.approx((120 + 6) / 2 / 60)
        assert v["calls_101_answered_within_target_pct"] == 100.0


BREAKS = {  # one corrupted row per case; each must fail in DuckDB exactly as it fails in GE
    "line not in set": "set line = '102'",
    "area code pattern": "set area_code = 'X23000001'",
    "target below min": "set answer_target_seconds = 0",
    "received in the future": "set received_at = timestamp '2099-01-01', ended_at = timestamp '2099-01-01', "
    "answered_at = null, call_back_at = null",
    "duplicate call id": "set call_id = (select min(call_id) from raw.force_feeds__calls)",
    "outcome missing": "set outcome = null",
}


def test_duckdb_gate_accepts_what_ge_accepts_and_rejects_what_ge_rejects(var_dir, monkeypatch):
    """The large-batch gate (warehouse/gate/quality_sql.py) reads the same suite as GE; on a clean batch
    both pass, and on each kind of bad row both fail."""
    import datetime as dt

    import duckdb

    from warehouse import samples
    from warehouse.core import contracts, db
    from warehouse.gate import quality, quality_sql
    from warehouse.ingest import load, local_time

    contract = contracts.get("force_feeds__calls")
    files = list(
        samples.write_feed(
            "calls",
            ["Thames Valley", "Leicestershire"],
            dt.date(2022, 1, 1),
            dt.date(2022, 1, 31),
            7,
            var_dir / "gen",
            0.01,
        )
    )
    with db.writer() as con:
        ids = [load.load_file(con, contract, f, dt.date(2022, 2, 7)).load_id for f in files]

    def both(con):
        cols = ", ".join(f'"{c}"' for c in contract.column_names)
        df = con.execute(f"select {cols}, _row_number from raw.{contract.table}").df()
        return quality_sql.passes(con, contract, ids), quality._run_suite(contract.table, df).success

    con = duckdb.connect(str(var_dir / "build" / "working.duckdb"))
    try:
        assert both(con) == (True, True)
        for case, change in BREAKS.items():
            con.execute("begin")
            con.execute(f"update raw.{contract.table} {change} where _load_id = {ids[0]} and _row_number = 3")
            assert both(con) == (False, False), case
            con.execute("rollback")
        # Uniqueness is counted on 64-bit hashes first; a count that says "maybe" (as a hash
        # collision would) must leave the decision to the exact count: clean still passes, a true
        # duplicate still fails.
        hashed = quality_sql._unique
        monkeypatch.setattr(quality_sql, "_unique", lambda *a: ("1", hashed(*a)[1]))
        assert quality_sql.passes(con, contract, ids)
        con.execute("begin")
        con.execute(
            f"update raw.{contract.table} {BREAKS['duplicate call id']} where _load_id = {ids[1]} and _row_number = 5"
        )
        assert not quality_sql.passes(con, contract, ids)
        con.execute("rollback")
        # Event order is judged on times resolved in Europe/London, outside both suites (local_time)
        con.execute("begin")
        con.execute(
            f"update raw.{contract.table} set ended_at = received_at - interval 1 second "
            f"where _load_id = {ids[0]} and _row_number = 3"
        )
        assert both(con) == (True, True)
        found = local_time.check_order(con, [(ids[0], contract.table, files[0].name)], contracts.get)
        assert "rows 3;" in found[ids[0]][0]
        con.execute("rollback")
    finally:
        con.close()


def test_uniqueness_on_hashes_counts_like_the_exact_check():
    """quality_sql._unique: the hash count is 0 exactly when the values are unique (NULLs skipped,
    as GE does; compound keys count a row unless all its values are missing); floats get only the
    exact count."""
    import duckdb

    from warehouse.gate import quality_sql

    con = duckdb.connect()
    con.execute("create table t (s varchar, n bigint, f double)")
    types = {"s": "VARCHAR", "n": "BIGINT", "f": "DOUBLE"}
    con.execute(
        "insert into t values ('a', 1, 0.0), ('b', null, -0.0), (null, 1, 1.0), (null, null, null), ('c', 2, 2.0)"
    )

    def counts(counted, columns):
        quick, exact = quality_sql._unique(counted, columns, types)
        return con.execute(f"select {quick}, {exact} from t").fetchone(), quick == exact

    assert counts("s is not null", ["s"]) == ((0, 0), False)  # two NULLs are not duplicates
    assert counts("n is not null", ["n"]) == ((1, 1), False)  # 1 twice
    assert counts("s is not null or n is not null", ["s", "n"]) == ((0, 0), False)  # (a,1) (b,) (,1) (c,2)
    con.execute("insert into t values ('b', null, 3.0)")  # (b, NULL) again: a duplicate pair
    assert counts("s is not null or n is not null", ["s", "n"]) == ((1, 1), False)
    assert counts("s is not null", ["s"]) == ((1, 1), False)
    (n, same) = counts("f is not null", ["f"])
    assert same and n[0] == n[1]  # doubles: exact only


def test_pseudonyms_computed_in_duckdb_equal_python_hmac(tmp_path, monkeypatch):
    """The loader hashes ids in DuckDB for speed; they must be exactly pseudonymise.pseudonym()."""
    import duckdb

    from warehouse.core import contracts
    from warehouse.ingest import pseudonymise
    from warehouse.ingest.readers.pseudonymised_csv import read_pseudonymised_csv

    contract = contracts.get("force_feeds__calls")
    import random

    rnd = random.Random(18)
    alphabet = "abcXYZ019-_ é£€😀'\\"
    ids = ["E23000029-202201-101-0000001", "id with é and \\x41 and 'quotes'"] + [
        "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 140))) for _ in range(500)
    ]  # lengths either side of SHA-256's 55- and 64-byte block boundaries
    f = tmp_path / "calls_E23000029_2022-01.csv"
    f.write_text(
        ",".join(contract.column_names)
        + "\n"
        + "".join(
            f'"{i.replace(chr(34), chr(34) * 2)}",E23000029,101,2022-01-01 00:00:00,,2022-01-01 00:01:00,abandoned,,300\n'
            for i in ids
        ),
        encoding="utf-8",
    )
    for key in ("a short key", "k" * 100):  # keys over 64 bytes are hashed first (RFC 2104)
        monkeypatch.setenv(pseudonymise.ENV_VAR, key)
        con = duckdb.connect()
        got = [r[0] for r in read_pseudonymised_csv(con, f, contract).fetchall()]
        con.close()
        assert got == pseudonymise.pseudonyms(ids) and got[0] != ids[0]
