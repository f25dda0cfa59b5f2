"""police.uk street-level crime: counts reproduced from the marts, the API answer checked against the
archive CSV, aggregates only in marts, and corrupted files stopped with nothing published changing."""

from __future__ import annotations

import json

import pytest
from test_hate_crime import _build_stops, _rewrite_csv

from conftest import PROJECT

POLICE_UK = PROJECT / "seeds/sources/police_uk"
STREET_CSV = POLICE_UK / "2018-06-thames-valley-street.csv"
API_JSON = POLICE_UK / "crimes_street_all_crime_2018-06_reading_abbey_ward_E05002319.json"

# Crime type counts of the Thames Valley June 2018 file (PROVENANCE.md, counted from the file)
PUBLISHED = {
    "Violence and sexual offences": 5053,
    "Anti-social behaviour": 3431,
    "Other theft": 1981,
    "Criminal damage and arson": 1751,
    "Shoplifting": 1359,
    "Vehicle crime": 1298,
    "Burglary": 864,
    "Public order": 653,
    "Bicycle theft": 551,
    "Drugs": 438,
    "Other crime": 276,
    "Theft from the person": 248,
    "Possession of weapons": 143,
    "Robbery": 142,
}


def test_crime_type_counts(published):
    rows = published.execute(
        "select crime_type, records from marts.fct_police_uk_street_crime_monthly "
        "where area_code = 'E23000029' and period_end = date '2018-06-30'"
    ).fetchall()
    assert dict(rows) == PUBLISHED
    assert sum(PUBLISHED.values()) == 18188


def test_no_location_records_and_lsoa_counts(published):
    no_loc, total = published.execute(
        "select sum(records_without_location), sum(records) from marts.fct_police_uk_street_crime_monthly"
    ).fetchall()[0]
    assert (no_loc, total) == (1697, 18188)
    lsoa = published.execute(
        "select sum(records), count(distinct lsoa_code) from marts.fct_police_uk_street_crime_lsoa_monthly"
    ).fetchall()[0]
    assert lsoa[0] == 18188 - 1697 and lsoa[1] > 1000


def test_api_answer_against_archive_csv(pipeline_store):
    rows = pipeline_store.execute(
        "select month, api_records, api_btp_records, api_persistent_ids, matched_in_archive "
        "from intermediate.int_police_uk__api_vs_archive"
    ).fetchall()
    assert rows == [("2018-06", 504, 42, 460, 385)]


def test_marts_hold_counts_only(published):
    cols = {
        c
        for (c,) in published.execute(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            "and table_name like 'fct_police_uk%'"
        ).fetchall()
    }
    assert "records" in cols
    assert not cols & {"crime_id", "persistent_id", "latitude", "longitude", "location"}


def test_corrupted_street_csv_is_stopped(copy_of_built):
    bad = copy_of_built.parent / "2018-06-thames-valley-street.csv"
    _rewrite_csv(STREET_CSV, bad, 40, "Crime type", "Hate crime")
    err = _build_stops(copy_of_built, bad, "police_uk__street_crimes")
    assert "2018-06-thames-valley-street.csv" in err and "crime_type" in err and "rows 40" in err
    assert "Hate crime" in err and "expect_column_values_to_be_in_set" in err


def test_street_csv_with_renamed_header_is_stopped(copy_of_built):
    bad = copy_of_built.parent / "renamed-street.csv"
    bad.write_text(STREET_CSV.read_text().replace("LSOA code", "LSOA", 1))
    err = _build_stops(copy_of_built, bad, "police_uk__street_crimes")
    assert "renamed-street.csv" in err and "missing column(s) ['LSOA code']" in err and "'LSOA'" in err


def _record_7(change):
    def mangle(text):
        recs = json.loads(text)
        change(recs[6])
        return json.dumps(recs)

    return mangle


@pytest.mark.parametrize(
    "mangle,expect",
    [
        (lambda text: text[: len(text) // 2], "not valid JSON at line 1"),
        (lambda text: json.dumps({"error": "Too many requests"}), "expected an array of crimes"),
        (_record_7(lambda r: r.pop("persistent_id")), "record 7 (row 7) has no key(s) ['persistent_id']"),
        (_record_7(lambda r: r["location"].update(latitude="north")), "'latitude' expects double"),
        (
            _record_7(lambda r: r["location"].pop("latitude")),
            "expect_column_values_to_not_be_null failed on column latitude",
        ),
    ],
)
def test_corrupted_api_answer_is_stopped(copy_of_built, mangle, expect):
    bad = copy_of_built.parent / "crimes-street_all-crime_2018-06.json"
    bad.write_text(mangle(API_JSON.read_text()))
    err = _build_stops(copy_of_built, bad, "police_uk__street_crimes_api")
    assert "crimes-street_all-crime_2018-06.json" in err and expect in err
    if "latitude" in expect:
        assert "row 7" in err or "rows 7" in err


def test_restated_month_replaces_and_another_force_adds(copy_of_built):
    """A later file for the same force and month replaces it in the marts (raw keeps both); another
    force's file for the same month is added beside it. The second force's file is the Thames Valley
    one relabelled, test-only data that never leaves the temporary folder."""
    import datetime as dt

    import duckdb

    from warehouse.ingest import landing

    lines = STREET_CSV.read_text().splitlines(keepends=True)
    restated = copy_of_built.parent / "2018-06-thames-valley-street.csv"
    restated.write_text("".join(lines[:101]))  # header + first 100 records
    other = copy_of_built.parent / "2018-06-leicestershire-street.csv"
    other.write_text(STREET_CSV.read_text().replace("Thames Valley Police", "Leicestershire Police"))
    landing.land_file(restated, "police_uk__street_crimes", dt.date(2021, 6, 1))
    landing.land_file(other, "police_uk__street_crimes", dt.date(2021, 6, 1))
    from conftest import run_pcp

    run_pcp("build", var=copy_of_built)
    con = duckdb.connect(str(copy_of_built / "warehouse.duckdb"), read_only=True)
    try:
        by_force = dict(
            con.execute(
                "select area_code, sum(records) from marts.fct_police_uk_street_crime_monthly group by 1"
            ).fetchall()
        )
    finally:
        con.close()
    with duckdb.connect(str(copy_of_built / "build" / "working.duckdb"), read_only=True) as con:  # raw history
        loads = con.execute("select count(distinct _load_id) from raw.police_uk__street_crimes").fetchall()[0][0]
    assert by_force == {"E23000029": 100, "E23000021": 18188}
    assert loads == 3
