"""Issue 14, kinds 3 (second half) and 10: a new force-period that is incomplete (expected members
missing) or out of all proportion to its own history is held like a move (warehouse/publish/completeness.py),
naming source, area, period and the ratio or the missing members; `--accept-moves` publishes it."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import shutil

import duckdb
import pytest

from conftest import run_pcp
from warehouse.core import contracts
from warehouse.samples import DEFAULT_CONTACT_SCALE, FEEDS, csp_weights, write_feed

TV = "E23000029"
HISTORY = (dt.date(2023, 1, 1), dt.date(2023, 3, 1))  # three ordinary months before the new one
NEW = dt.date(2023, 4, 1)
MONTH = f"{NEW:%Y-%m}"
LAST_DAY = dt.date(NEW.year, NEW.month, calendar.monthrange(NEW.year, NEW.month)[1])


def _land(var, table: str, f, arrived: str = "2023-05-07"):
    dest = var / "landing" / table / arrived / f.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(f, dest)


def _keep(f, keep) -> None:
    rows = list(csv.DictReader(open(f, newline="")))
    with open(f, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(r for r in rows if keep(r))


@pytest.fixture(scope="module")
def held(tmp_path_factory):
    """A build of the bundled data with Thames Valley's January-March 2023 feeds at the default scale
    (not the shared build: its sample feeds hold every past month, so no past month would be new),
    then, for April 2023: a call log 20 times the usual, a domestic-abuse month with half its
    partnerships, a digital contacts month cut off after the 15th; and a police.uk Thames Valley month
    with 200 records."""
    var = tmp_path_factory.mktemp("holds") / "var"
    var.mkdir(parents=True)
    gen = var.parent / "gen"
    for feed in ("calls", "domestic_abuse", "digital_contacts"):
        scale = DEFAULT_CONTACT_SCALE if feed != "domestic_abuse" else 1.0
        for f in write_feed(feed, ["Thames Valley"], *HISTORY, 42, gen / "history", scale):
            _land(var, FEEDS[feed][1], f, "2023-04-07")
    run_pcp("build", "--accept-moves", var=var)  # a first build: its months are new too
    [calls] = write_feed("calls", ["Thames Valley"], NEW, NEW, 42, gen, 20 * DEFAULT_CONTACT_SCALE)
    [da] = write_feed("domestic_abuse", ["Thames Valley"], NEW, NEW, 42, gen)
    codes, _ = csp_weights(TV)
    half = set(codes[::2])
    _keep(da, lambda r: r["csp_code"] in half)
    # 5x the usual digital volume (within the volume limit) so that the half month left is dense enough
    # for its missing days to be evidence (holds.members min_per_day)
    [dc] = write_feed("digital_contacts", ["Thames Valley"], NEW, NEW, 42, gen, 5 * DEFAULT_CONTACT_SCALE)
    _keep(dc, lambda r: r["date"] <= f"{MONTH}-15")
    for feed, f in (("calls", calls), ("domestic_abuse", da), ("digital_contacts", dc)):
        _land(var, FEEDS[feed][1], f)
    src = contracts.get("police_uk__street_crimes").bundled_files()[0][0]
    pu = gen / "2018-07-thames-valley-street.csv"
    pu.write_text(
        "\n".join(ln.replace(",2018-06,", ",2018-07,", 1) for ln in src.read_text().splitlines()[:201]) + "\n"
    )
    _land(var, "police_uk__street_crimes", pu, "2018-08-10")
    before = (var / "warehouse.duckdb").read_bytes()
    proc = run_pcp("build", var=var, check=False)
    return var, proc, before, sorted(set(codes) - half)


def test_new_periods_out_of_proportion_or_incomplete_stop_the_build(held):
    var, proc, before, _ = held
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "4 new period(s) held as incomplete or out of proportion" in proc.stderr, proc.stderr
    assert (var / "warehouse.duckdb").read_bytes() == before


def test_a_month_twenty_times_the_usual_is_held_naming_source_area_period_and_ratio(held):
    _, proc, _, _ = held
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith(f"  force call log {TV} {MONTH}:"))
    ratio = float(line.split("ratio ")[1].split(",")[0])
    assert 15 < ratio < 25, line


def test_a_police_uk_force_month_with_a_tiny_fraction_of_its_records_is_held(held):
    _, proc, _, _ = held
    assert f"  police.uk street crime {TV} 2018-07: 200 against a usual 18,188" in proc.stderr, proc.stderr
    assert "ratio 0.01" in proc.stderr


def test_a_month_missing_partnerships_or_days_is_held_naming_what_is_missing(held):
    _, proc, _, missing = held
    assert (
        f"  force domestic abuse feed {TV} {MONTH}: incomplete: {len(missing)} community safety partnership(s) "
        f"of the force in the ONS lookup missing: {', '.join(missing[:8])}"
    ) in proc.stderr, proc.stderr
    assert (
        f"  force digital contacts {TV} {MONTH}: incomplete: {LAST_DAY.day - 15} day(s) of the month with no "
        f"rows missing: {MONTH}-16, {MONTH}-17"
    ) in proc.stderr


def test_accept_moves_publishes_the_held_periods_and_records_them(held):
    var, _, _, _ = held
    out = run_pcp("build", "--accept-moves", var=var).stdout
    assert f"accepted hold: force call log {TV} {MONTH}" in out
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as con:
        holds = con.execute("select source, area_code, period_end from meta.holds order by 1").fetchall()
        assert [h[0] for h in holds] == [
            "force call log",
            "force digital contacts",
            "force domestic abuse feed",
            "police.uk street crime",
        ]
        assert con.execute(
            "select count(*) from marts.metric_values where metric_id = 'calls_101_received' "
            "and area_code = ? and period_end = ?",
            [TV, LAST_DAY],
        ).fetchall() == [(1,)]
