"""Issue 14, kinds 1 and 2: a force-feed file changes exactly the partitions (force x month) its
name declares (warehouse/ingest/partitions.py).

Kind 1: a row of another period inside a later file never touches that period (the issue's
June 2023 Thames Valley call log, 788 calls to 101 and 354 to 999, then a July file with one call
received 23:59:48 on 30 June). Kind 2: part files of one partition in one arrival combine; a later
arrival restates the whole partition and the build says so; two unnumbered files for one
partition in one arrival are refused naming both; the file name is checked against its contents.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import duckdb
import pytest

from conftest import run_pcp
from warehouse.samples import FEEDS, write_feed

TV = "E23000029"
JUNE, JULY = dt.date(2023, 6, 1), dt.date(2023, 7, 1)
# The row: received in June, answered and ended after midnight, sent in July's file.
STRAY_CALL = (
    "E23000029-202307-101-0000000,E23000029,101,2023-06-30 23:59:48,2023-07-01 00:00:31,"
    "2023-07-01 00:04:10,answered,,300"
)
CALLS_SCALE = 0.01  # the June file: 1,142 calls, 788 to 101 and 354 to 999


FIXTURES = Path(__file__).parents[1] / "fixtures" / "issue14"  # the issue's own June and July files (SAMPLE)


def _write(feed: str, month: dt.date, out: Path) -> Path:
    """The issue's file for June or July 2023; any other month from the sample generator."""
    fixed = FIXTURES / f"{feed}_{TV}_{month:%Y-%m}.csv"
    if fixed.exists():
        out.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copyfile(fixed, out / fixed.name))
    [f] = write_feed(feed, ["Thames Valley"], month, month, 42, out, CALLS_SCALE if feed == "calls" else 1.0)
    return f


def _land(var: Path, feed: str, f: Path, arrived: str, name: str | None = None) -> Path:
    dest = var / "landing" / FEEDS[feed][1] / arrived / (name or f.name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(f, dest)
    return dest


def _figures(var: Path, month: dt.date) -> dict[str, float]:
    end = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1) - dt.timedelta(days=1)
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as con:
        return dict(
            con.execute(
                "select metric_id, value from marts.metric_values where area_code = ? and period_end = ? "
                "and metric_id in ('calls_101_received', 'calls_999_received', 'da_crimes')",
                [TV, end],
            ).fetchall()
        )


@pytest.fixture(scope="module")
def june_then_july(tmp_path_factory):
    """A build of the bundled data plus June 2023 (calls and domestic abuse) landed 7 July; then
    July's files, each with one row of June, landed 7 August and built. Not the shared build: its
    sample feeds already hold these months, and here they must arrive as the issue describes."""
    var = tmp_path_factory.mktemp("partitions") / "var"
    var.mkdir(parents=True)
    gen = var.parent / "gen"
    for feed in ("calls", "domestic_abuse"):
        _land(var, feed, _write(feed, JUNE, gen / "june"), "2023-07-07")
    # June at the scale is about a fifth of the shared build's months: a volume hold to accept
    run_pcp("build", "--accept-moves", var=var)
    june = _figures(var, JUNE)
    july_calls = _write("calls", JULY, gen / "july")
    with open(july_calls, "a") as fh:
        fh.write(STRAY_CALL + "\n")
    july_da = _write("domestic_abuse", JULY, gen / "july")
    rows = list(csv.DictReader(open(july_da, newline="")))
    stray = {**rows[0], "month": "2023-06-01", "crimes": "2", "incidents": "1", "arrests": "0"}
    with open(july_da, "a", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n").writerow(stray)
    _land(var, "calls", july_calls, "2023-08-07")
    _land(var, "domestic_abuse", july_da, "2023-08-07")
    out = run_pcp("build", "--accept-moves", var=var)
    return var, june, out.stdout + out.stderr, (july_calls.name, july_da.name)


def test_a_june_row_in_the_july_file_never_changes_june(june_then_july):
    var, june, output, _ = june_then_july
    assert june["calls_101_received"] == 788 and june["calls_999_received"] == 354
    assert june["da_crimes"] > 1000  # Thames Valley's whole month, not one stray row
    assert _figures(var, JUNE) == june  # 788, 354 and June's da_crimes are unchanged
    july = _figures(var, JULY)
    assert july["calls_101_received"] > 700 and july["da_crimes"] > 1000
    assert "1 row(s) outside its declared partition (E23000029 2023-07) quarantined" in output, output


def test_the_stray_rows_are_quarantined_naming_file_row_and_partition(june_then_july):
    var, _, _, (calls_file, da_file) = june_then_july
    # the refused cell's text stays in the pipeline's working file (the analysts' file has no value column)
    with duckdb.connect(str(var / "build" / "working.duckdb"), read_only=True) as con:
        q = con.execute(
            "select file, row_number, column_name, value, reason from meta.quarantine "
            "where file in (?, ?) order by file",
            [calls_file, da_file],
        ).fetchall()
        calls_rows = con.execute("select rows_read from meta.loads where source_file = ?", [calls_file]).fetchone()[0]
        statuses = con.execute(
            "select distinct status from meta.loads where source_file in (?, ?)", [calls_file, da_file]
        ).fetchall()
    assert statuses == [("accepted",)]
    assert [(f, r, c, v) for f, r, c, v, _ in q] == [
        (calls_file, calls_rows, "received_at", "2023-06-30 23:59:48"),
        (da_file, q[1][1], "month", "2023-06-01"),
    ]
    assert all(
        "outside the partition its file name declares (E23000029 2023-07): this row is E23000029 2023-06" in reason
        for *_, reason in q
    )


def test_part_files_of_one_arrival_combine_and_restate_the_month_whole(june_then_july, tmp_path):
    """The June file split into part1 (rows 1-600) and part2 (rows 601-1,142), landed together later:
    June is 788 and 354 again (not 188), and the build says it restated June."""
    var, june, _, _ = june_then_july
    var2 = tmp_path / "var"
    shutil.copytree(var, var2)
    whole = _write("calls", JUNE, tmp_path / "gen")
    lines = whole.read_text().splitlines(keepends=True)
    assert len(lines) == 1 + 1142
    for part, body in ((1, lines[1:601]), (2, lines[601:])):
        p = tmp_path / f"calls_{TV}_2023-06_part{part}.csv"
        p.write_text(lines[0] + "".join(body))
        _land(var2, "calls", p, "2023-09-07")
    out = run_pcp("build", "--accept-moves", var=var2).stdout
    got = _figures(var2, JUNE)
    assert (got["calls_101_received"], got["calls_999_received"]) == (788, 354)
    for part in (1, 2):
        assert f"calls_{TV}_2023-06_part{part}.csv restates {TV} 2023-06 whole, replacing {whole.name}" in out, out
    with duckdb.connect(str(var2 / "warehouse.duckdb"), read_only=True) as con:
        restated = con.execute(
            "select distinct source_file, replaces_file from meta.restatements "
            "where month = date '2023-06-01' and area_code = ? order by 1",
            [TV],
        ).fetchall()
    assert restated == [(f"calls_{TV}_2023-06_part1.csv", whole.name), (f"calls_{TV}_2023-06_part2.csv", whole.name)]


def test_two_unnumbered_files_for_one_partition_in_one_arrival_are_refused_naming_both(june_then_july, tmp_path):
    var, _, _, _ = june_then_july
    var2 = tmp_path / "var"
    shutil.copytree(var, var2)
    before = (var2 / "warehouse.duckdb").read_bytes()
    a = _write("calls", dt.date(2023, 8, 1), tmp_path / "gen")
    b = tmp_path / "other" / a.name
    b.parent.mkdir()
    b.write_text(a.read_text().replace(",300\n", ",240\n"))  # different bytes, same force and month
    _land(var2, "calls", a, "2023-09-07")
    _land(var2, "calls", b, "2023-09-07", name=f"calls_{TV}_2023-08_part1.csv")
    proc = run_pcp("build", var=var2, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert (
        f"calls_{TV}_2023-08_part1.csv and calls_{TV}_2023-08.csv both declare {TV} 2023-08 in one arrival"
        in proc.stderr
    ), proc.stderr
    assert (var2 / "warehouse.duckdb").read_bytes() == before
    with duckdb.connect(str(var2 / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(
            "select count(*) from meta.loads where source_file like ?", [f"calls_{TV}_2023-08%"]
        ).fetchall() == [(0,)]


@pytest.mark.parametrize("case", ["wrong month", "wrong force", "unnamed"])
def test_a_file_name_that_does_not_match_its_contents_is_refused(case, june_then_july, tmp_path):
    var, _, _, _ = june_then_july
    var2 = tmp_path / "var"
    shutil.copytree(var, var2)
    f = _write("domestic_abuse", dt.date(2023, 8, 1), tmp_path / "gen")
    name = {
        "wrong month": f"domestic_abuse_{TV}_2023-09.csv",
        "wrong force": "domestic_abuse_E23000021_2023-08.csv",  # Leicestershire's name, Thames Valley's rows
        "unnamed": "august.csv",
    }[case]
    _land(var2, "domestic_abuse", f, "2023-09-07", name=name)
    proc = run_pcp("build", var=var2, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    expected = {
        "wrong month": f"{name}: the name declares {TV} 2023-09 but none of its",
        "wrong force": f"{name}: the name declares E23000021 2023-08 but none of its",
        "unnamed": "august.csv: the file name must declare its force and month as domestic_abuse_<area code>_<YYYY-MM>",
    }[case]
    assert expected in proc.stderr, proc.stderr


def test_parts_with_a_gap_are_refused_naming_the_files_and_the_missing_part(var_dir, tmp_path):
    """Own case of kind 2: part1 and part3 of June landed without part2 would publish two thirds of
    the month as its whole restatement; the gate refuses both, naming them and the missing part."""
    from warehouse.core.errors import BadDataError
    from warehouse.orchestrate import pipeline

    whole = _write("calls", JUNE, tmp_path / "gen")
    lines = whole.read_text().splitlines(keepends=True)
    for part, body in ((1, lines[1:400]), (3, lines[800:])):
        p = tmp_path / f"calls_{TV}_2023-06_part{part}.csv"
        p.write_text(lines[0] + "".join(body))
        _land(var_dir, "calls", p, "2023-07-07")
    with pytest.raises(BadDataError) as e:
        pipeline.ingest(tables=[FEEDS["calls"][1]])
    msg = str(e.value)
    assert (
        f"calls_{TV}_2023-06_part1.csv, calls_{TV}_2023-06_part3.csv: parts of {TV} 2023-06 in one arrival" in msg
        and "without part(s) 2" in msg
    ), msg
    with duckdb.connect(str(var_dir / "build" / "working.duckdb"), read_only=True) as con:
        assert con.execute(
            "select distinct status from meta.loads where source_file like ?", [f"calls_{TV}_2023-06_part%"]
        ).fetchall() == [("rejected",)]
