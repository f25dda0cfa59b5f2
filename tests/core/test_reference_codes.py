"""Issue 14, kinds 6 and 7: codes are checked against the bundled reference tables, and force
names go through one resolver (warehouse/core/reference.py)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from warehouse.core import contracts, reference
from warehouse.core.errors import BadDataError
from warehouse.ingest.landing import land_file
from warehouse.orchestrate import pipeline
from warehouse.samples import FEEDS, arrival_date, forces, write_feed

MONTH = dt.date(2023, 6, 1)


def test_every_sample_feed_for_all_43_forces_loads(var_dir):
    """`pcp sample <feed>` for every force: the project's own contracts accept every file (Welsh CSPs
    are W14... in the ONS lookup; the old hand-written pattern ^(E22|W22) refused all four Welsh forces)."""
    names = [f.area_name for f in forces().values()]
    assert len(names) == 43
    for feed, (_, table) in FEEDS.items():
        for f in write_feed(feed, names, MONTH, MONTH, 42, var_dir / "gen" / feed, scale=0.002):
            land_file(f, table, arrival_date(MONTH))
    results = pipeline.ingest(tables=[t for _, t in FEEDS.values()])
    assert len(results) == 5 * 43
    with duckdb.connect(str(var_dir / "build" / "working.duckdb"), read_only=True) as con:
        by_table = dict(
            con.execute(
                "select source_table, count(*) filter (where status = 'accepted') from meta.loads group by 1"
            ).fetchall()
        )
        welsh = con.execute(
            "select count(distinct area_code), count(distinct csp_code) "
            "from raw.force_feeds__domestic_abuse_monthly where csp_code like 'W14%'"
        ).fetchall()
        quarantined = con.execute("select count(*) from meta.quarantine").fetchall()
    assert by_table == {t: 43 for _, t in FEEDS.values()}
    assert welsh == [(4, 22)]  # the four Welsh forces, all 22 Welsh CSPs
    assert quarantined == [(0,)]


def test_a_csp_code_not_in_the_ons_lookup_is_refused_naming_row_and_value(var_dir, tmp_path):
    [f] = write_feed("domestic_abuse", ["South Wales"], MONTH, MONTH, 42, tmp_path)
    lines = f.read_text().splitlines()
    # W22000001 has the old pattern's shape but is no CSP in the lookup
    lines[1] = lines[1].replace(lines[1].split(",")[2], "W22000001")
    f.write_text("\n".join(lines) + "\n")
    land_file(f, FEEDS["domestic_abuse"][1], arrival_date(MONTH))
    with pytest.raises(BadDataError) as e:  # one bad row of a Welsh force's few CSP rows: above 2%
        pipeline.ingest(tables=[FEEDS["domestic_abuse"][1]])
    assert (
        "expect_column_values_to_be_in_set failed on column csp_code: 1 bad value(s); rows 1; e.g. ['W22000001']"
        in str(e.value)
    ), e.value


def test_codes_come_from_the_reference_tables():
    csps = reference.codes("lad16_csp16_pfa16.CSP16CD")
    assert "W14000001" in csps and not any(c.startswith("W22") for c in csps)
    assert len(reference.codes("forces.area_code")) == 43
    da = contracts.get("force_feeds__domestic_abuse_monthly")
    assert da.column("csp_code").meta == {"reference": "lad16_csp16_pfa16.CSP16CD"}


# --- kind 7: one force-name resolver ------------------------------------------------------------

HIOW = "Hampshire and Isle of Wight Constabulary"  # Hampshire's name since November 2022


def _police_uk(tmp_path, reported_by: str, falls_within: str, rows: int = 200):
    src = contracts.get("police_uk__street_crimes").bundled_files()[0][0]
    lines = src.read_text().splitlines()[: rows + 1]
    body = [
        ln.replace("Thames Valley Police,Thames Valley Police", f"{reported_by},{falls_within}", 1) for ln in lines[1:]
    ]
    f = tmp_path / "2023-06-hampshire-street.csv"
    f.write_text("\n".join([lines[0], *body]) + "\n")
    return f


def test_a_renamed_force_maps_to_its_code_at_load(var_dir, tmp_path):
    assert reference.resolve_force(HIOW) == reference.resolve_force("Hampshire Constabulary") == "E23000030"
    land_file(_police_uk(tmp_path, HIOW, HIOW), "police_uk__street_crimes", dt.date(2023, 7, 1))
    pipeline.ingest(tables=["police_uk__street_crimes"])
    with duckdb.connect(str(var_dir / "build" / "working.duckdb"), read_only=True) as con:
        assert con.execute(
            "select status from meta.loads where source_file = '2023-06-hampshire-street.csv'"
        ).fetchall() == [("accepted",)]


def test_an_unknown_force_name_is_refused_at_the_gate_naming_file_row_value_and_nearest(var_dir, tmp_path):
    bad = "Hampshire & IOW Constabulary"
    land_file(_police_uk(tmp_path, HIOW, bad), "police_uk__street_crimes", dt.date(2023, 7, 1))
    with pytest.raises(BadDataError) as e:
        pipeline.ingest(tables=["police_uk__street_crimes"])
    msg = str(e.value)
    assert (
        "2023-06-hampshire-street.csv: column 'falls_within', row(s) 1, 2, 3, 4, 5 ...: unknown force name "
        f"'{bad}' (nearest known: Hampshire Constabulary, {HIOW}"
    ) in msg, msg
    with duckdb.connect(str(var_dir / "build" / "working.duckdb"), read_only=True) as con:
        assert con.execute(
            "select status from meta.loads where source_file = '2023-06-hampshire-street.csv'"
        ).fetchall() == [("rejected",)]
        assert con.execute(
            "select count(*), min(row_number) from meta.quarantine where value = ?", [bad]
        ).fetchall() == [(200, 1)]


def test_a_misspelt_force_in_a_home_office_table_is_refused_with_the_nearest_names(var_dir, tmp_path):
    src = contracts.get("bbc__hate_crime_by_force_strand").bundled_files()[0][0]
    f = tmp_path / src.name
    f.write_text(src.read_text().replace("\nThames Valley,", "\nThames Vally,", 1))
    land_file(f, "bbc__hate_crime_by_force_strand", dt.date(2023, 7, 1))
    with pytest.raises(BadDataError) as e:
        pipeline.ingest(tables=["bbc__hate_crime_by_force_strand"])
    assert "unknown force name 'Thames Vally' (nearest known: Thames Valley" in str(e.value), e.value
