"""Issue 14, the shape publishers use: the Home Office 999 call answer times per force and month
(total calls, average time to answer, number and share answered in under 10 s, 10 to under 60 s,
60 s or more). The SAMPLE file in that shape feeds only calls_999_ho_*_sample ids; a real file
landed in landing/home_office__999_answer_times/ feeds calls_999_ho_* with no code change, and
England and Wales is formed only when all 43 forces are in the month."""

from __future__ import annotations

import csv
import datetime as dt

import duckdb
import pytest

from conftest import run_pcp
from warehouse.core import contracts
from warehouse.core.config import paths
from warehouse.ingest.landing import land_file

TV = "E23000029"
HEADER = [c.meta["header"] for c in contracts.get("home_office__999_answer_times").columns]


def _sample_rows():
    src = contracts.get("home_office__999_answer_times_sample").bundled_files()[0][0]
    return list(csv.DictReader(open(src, newline="", encoding="utf-8")))


def test_the_sample_file_feeds_only_sample_ids(published):
    tv_jan = next(r for r in _sample_rows() if r["Force"] == "Thames Valley" and r["Month"] == "2024-01")
    calls, u10 = (int(tv_jan[h].replace(",", "")) for h in ("Total calls", "Calls answered in under 10 seconds"))
    got = published.execute(
        "select value, is_sample, source, numerator, denominator from marts.metric_values "
        "where metric_id = 'calls_999_ho_under_10s_pct_sample' and area_code = ? "
        "and period_end = date '2024-01-31'",
        [TV],
    ).fetchall()
    assert got == [(pytest.approx(100 * u10 / calls), True, got[0][2], u10, calls)]
    assert got[0][2].startswith("SAMPLE")
    assert published.execute(
        "select count(*) from marts.metric_values where metric_id like 'calls_999_ho_%' "
        "and (is_sample <> metric_id like '%_sample')"
    ).fetchall() == [(0,)]
    labels = published.execute(
        "select label from reference.metrics where metric_id like 'calls_999_ho_%_sample'"
    ).fetchall()
    assert len(labels) == 5 and all("SAMPLE" in x for (x,) in labels)
    # Police Scotland is a known name (no force area): loaded, left out of the marts
    assert published.execute(
        "select count(distinct area_code) from marts.metric_values where metric_id = 'calls_999_ho_received_sample'"
    ).fetchall() == [(2,)]


def test_a_real_file_drops_in_and_feeds_the_999_metrics(copy_of_built, tmp_path):
    forces = list(csv.DictReader(open(paths().reference / "forces.csv", newline="", encoding="utf-8")))
    f = tmp_path / "999-data-2024-07.csv"
    rows = []
    for i, r in enumerate(
        forces + [{"home_office_name": "Police Scotland"}, {"home_office_name": "British Transport Police"}]
    ):
        calls = 5000 + 250 * i
        u10, o60 = calls * 9 // 10, 20 + i
        mid = calls - u10 - o60
        rows.append(
            [
                r["home_office_name"],
                "2024-07",
                f"{calls:,}",
                7.5 + i / 10,
                f"{u10:,}",
                round(100 * u10 / calls, 1),
                f"{mid:,}",
                round(100 * mid / calls, 1),
                o60,
                round(100 * o60 / calls, 1),
            ]
        )
    with open(f, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([HEADER, *rows])
    land_file(f, "home_office__999_answer_times", dt.date.today())
    proc = run_pcp("build", var=copy_of_built, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tv = next(r for r in rows if r[0] == "Thames Valley")
    with duckdb.connect(str(copy_of_built / "warehouse.duckdb"), read_only=True) as con:
        got = dict(
            con.execute(
                "select metric_id, value from marts.metric_values where area_code = ? "
                "and period_end = date '2024-07-31' and not is_sample",
                [TV],
            ).fetchall()
        )
        assert got["calls_999_ho_received"] == int(tv[2].replace(",", ""))
        assert got["calls_999_ho_mean_answer_seconds"] == pytest.approx(tv[3])
        assert got["calls_999_ho_under_10s_pct"] == pytest.approx(
            100 * int(tv[4].replace(",", "")) / int(tv[2].replace(",", ""))
        )
        # all 43 forces in the month: England and Wales is their sum (Scotland and BTP left out)
        ew = con.execute(
            "select value from marts.metric_values where metric_id = 'calls_999_ho_received' "
            "and area_code = 'K04000001' and period_end = date '2024-07-31'"
        ).fetchall()
        assert ew == [(float(sum(int(r[2].replace(",", "")) for r in rows[:43])),)]
        assert con.execute(
            "select count(*) from marts.metric_values where metric_id like 'calls_999_ho_%_sample' "
            "and period_end = date '2024-07-31'"
        ).fetchall() == [(0,)]
