"""The ONS Crime Severity Score by police force area (years ending March), added by following the
"Adding a source" recipe in docs/architecture.md: a real, bundled file feeds ``crime_severity_score``
in marts.metric_values, and a bad file is stopped naming file, row, column, found and expected."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from conftest import file_digest, run_pcp
from warehouse.core import contracts
from warehouse.ingest.landing import land_file

TABLE = "ons__crime_severity_score"


def _file_rows() -> list[dict]:
    [(path, _vintage)] = contracts.get(TABLE).bundled_files()
    return list(csv.DictReader(open(path, newline="", encoding="utf-8")))


def test_each_force_year_in_the_file_is_published_once_as_a_real_score(published):
    rows = [r for r in _file_rows() if r["score"] != "NA"]
    got = {
        (a, p.year): v
        for a, p, v in published.execute(
            "select area_code, period_end, value from marts.metric_values "
            "where metric_id = 'crime_severity_score' and not is_sample and unit = 'score' "
            "and period_type = 'financial_year' and month(period_end) = 3 and day(period_end) = 31"
        ).fetchall()
    }
    assert got == {(r["code"], int(r["year"])): pytest.approx(float(r["score"])) for r in rows}
    assert len(got) == 42 * 21  # 43 forces x 21 years, less City of London (no score)
    assert round(got[("E23000029", 2023)], 2) == 10.88  # Thames Valley, checked by hand (PROVENANCE.md)


def test_a_bad_score_stops_the_file_naming_row_column_found_and_expected(copy_of_built, tmp_path):
    published = copy_of_built / "warehouse.duckdb"
    before = file_digest(published)
    rows = _file_rows()
    f = tmp_path / "ons_crime_severity_score_2024.csv"
    with open(f, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        for r in rows[:43]:
            w.writerow({**r, "year": "2024", "score": "-1"})  # every row: far above the share that may be quarantined
    land_file(f, TABLE, dt.date.today())
    proc = run_pcp("build", var=copy_of_built, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    err = proc.stderr
    assert f.name in err and "score" in err and "row" in err and "-1" in err and "min_value" in err, err
    assert file_digest(published) == before
