"""Issue 14, kind 9: a publication that leaves out a force (warehouse/gate/not_supplied.py, dbt macro
all_forces_present, marts.fct_not_supplied).

The issue's example: a 2022-23 hate crime file with 42 forces (Devon and Cornwall left out, as the
Home Office did) loads; Thames Valley's year is there; Devon and Cornwall is recorded as not
supplied; no England and Wales total is formed for that year. Own case, the same rule: Kent is
missing from the September 2025 workforce extract, so Kent is "not supplied" at 30 Sep 2024,
31 Mar 2025 and 30 Sep 2025, no England and Wales officers figure is formed for those dates, and
Kent's pack says so.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from conftest import run_pcp
from warehouse.core import contracts
from warehouse.ingest.landing import land_file
from warehouse.orchestrate import pipeline

TABLE = "bbc__hate_crime_by_force_strand"
DEVON = "E23000035"
TV, KENT = "E23000029", "E23000032"


def _year_2022_23(out: Path, drop: set[str]) -> tuple[Path, dict[str, str]]:
    """The bundled 2018-19 rows relabelled 2022-23, without the forces in ``drop``."""
    src = contracts.get(TABLE).bundled_files()[0][0]
    with open(src, newline="", encoding="utf-8") as fh:
        r = csv.reader(fh)
        header, rows = next(r), [x for x in r if x[1] == "2018-19" and x[0] not in drop]
    for x in rows:
        x[1] = "2022-23"
    f = out / "hate_crime_by_force_2022_23.csv"
    with open(f, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return f, {x[0]: x[8] for x in rows}  # force -> total offences


def test_a_42_force_year_loads_and_names_the_force_not_supplied(var_dir, tmp_path, capsys):
    f, _ = _year_2022_23(tmp_path, {"Devon and Cornwall"})
    land_file(f, TABLE, dt.date(2023, 10, 20))
    pipeline.ingest(tables=[TABLE])  # strict: raises if the file is refused
    out = capsys.readouterr().out
    assert (
        f"not supplied: hate_crime_by_force_2022_23.csv: year 2022-23: Devon and Cornwall ({DEVON}) "
        "(England and Wales total not formed)"
    ) in out, out


def test_a_year_with_far_fewer_forces_is_still_refused(var_dir, tmp_path):
    from warehouse.core.errors import BadDataError

    f, _ = _year_2022_23(tmp_path, {"Devon and Cornwall", "Kent", "Essex", "Surrey"})
    land_file(f, TABLE, dt.date(2023, 10, 20))
    with pytest.raises(BadDataError) as e:
        pipeline.ingest(tables=[TABLE])
    assert "distinct force per year; found 2022-23: 39" in str(e.value), e.value


def test_not_supplied_is_in_the_marts_and_the_pack_and_no_england_and_wales_total(copy_of_built, tmp_path):
    f, offences = _year_2022_23(tmp_path, {"Devon and Cornwall"})
    land_file(f, TABLE, dt.date.today())
    proc = run_pcp("build", var=copy_of_built, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Devon and Cornwall ({DEVON})" in proc.stdout
    ye = dt.date(2023, 3, 31)
    with duckdb.connect(str(copy_of_built / "warehouse.duckdb"), read_only=True) as con:
        tv = con.execute(
            "select value from marts.metric_values where metric_id = 'hate_crimes' and area_code = ? "
            "and period_end = ?",
            [TV, ye],
        ).fetchall()
        assert tv == [(float(offences["Thames Valley"]),)]
        assert con.execute(
            "select count(*) from marts.metric_values where metric_id like 'hate_crimes%' "
            "and period_end = ? and area_code = 'K04000001'",
            [ye],
        ).fetchall() == [(0,)]
        assert con.execute(
            "select distinct area_code, status, forces_supplied, england_and_wales_formed "
            "from marts.fct_not_supplied where metric_id = 'hate_crimes' and period_end = ?",
            [ye],
        ).fetchall() == [(DEVON, "not supplied", 42, False)]
        # the same rule for Kent's absence from the September 2025 workforce extract
        kent = con.execute(
            "select period_end from marts.fct_not_supplied where metric_id = 'officers_fte' "
            "and area_code = ? order by 1",
            [KENT],
        ).fetchall()
        assert [d for (d,) in kent] == [dt.date(2024, 9, 30), dt.date(2025, 3, 31), dt.date(2025, 9, 30)]
        assert con.execute(
            "select count(*) from marts.metric_values where metric_id = 'officers_fte' "
            "and area_code = 'K04000001' and period_end in (select period_end from "
            "marts.fct_not_supplied where metric_id = 'officers_fte')"
        ).fetchall() == [(0,)]
        # a complete year still has its England and Wales total
        assert con.execute(
            "select count(*) from marts.metric_values where metric_id = 'hate_crimes' "
            "and area_code = 'K04000001' and period_end = date '2019-03-31'"
        ).fetchall() == [(1,)]
    from warehouse.report import data, pack

    d = data.load("Kent", dt.date(2026, 6, 1))
    notes = dict(pack.notes_table(d).itertuples(index=False))
    assert "not supplied by the publisher" in notes["Not supplied: Police officers (FTE)"]
    assert "30 Sep 2024, 31 Mar 2025, 30 Sep 2025" in notes["Not supplied: Police officers (FTE)"]
