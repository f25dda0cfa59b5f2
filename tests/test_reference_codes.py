"""Issue 14, kinds 6 and 7: codes are checked against the bundled reference tables, and force
names go through one resolver (warehouse/reference.py)."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from warehouse import contracts, pipeline, reference
from warehouse.errors import QualityError
from warehouse.landing import land_file
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
        by_table = dict(con.execute("select source_table, count(*) filter (where status = 'accepted') "
                                    "from meta.loads group by 1").fetchall())
        welsh = con.execute("select count(distinct area_code), count(distinct csp_code) "
                            "from raw.force_feeds__domestic_abuse_monthly where csp_code like 'W14%'").fetchall()
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
    with pytest.raises(QualityError) as e:  # one bad row of a Welsh force's few CSP rows: above 2%
        pipeline.ingest(tables=[FEEDS["domestic_abuse"][1]])
    assert "expect_column_values_to_be_in_set failed on column csp_code: 1 bad value(s); rows 1; e.g. ['W22000001']" \
        in str(e.value), e.value


def test_codes_come_from_the_reference_tables():
    csps = reference.codes("lad16_csp16_pfa16.CSP16CD")
    assert "W14000001" in csps and not any(c.startswith("W22") for c in csps)
    assert len(reference.codes("forces.area_code")) == 43
    da = contracts.get("force_feeds__domestic_abuse_monthly")
    assert da.column("csp_code").meta == {"reference": "lad16_csp16_pfa16.CSP16CD"}
