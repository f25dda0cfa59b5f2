"""Issue 14, kind 8: local authority geography is versioned by year (warehouse/core/geography.py).

ONS population editions from mid-2022 are on 2023 geography: Cumberland E06000063, Westmorland and
Furness E06000064, North Yorkshire E06000065 and Somerset E06000066 replace 17 districts (318
districts, not 331). Such a file loads, the four map to Cumbria, Cumbria, North Yorkshire and Avon
and Somerset, and every force total is unchanged; a code of no geography year is refused naming
file, row, column and value; a year whose codes are no geography year's set names what is missing.
The 2023 file here is the bundled 2021-geography edition with the 17 districts summed into their
successors (the ONS figures for the new unitaries are exactly those sums).
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pytest

from conftest import run_pcp
from warehouse.core import contracts, geography
from warehouse.core.errors import BadDataError
from warehouse.ingest.landing import land_file
from warehouse.orchestrate import pipeline

TABLE = "ons__population_by_lad"
NEW = {"E06000063": "E23000002", "E06000064": "E23000002", "E06000065": "E23000009", "E06000066": "E23000036"}


def _on_2023_geography(out: Path, edit=None) -> Path:
    """The bundled edition recast on 2023 geography (rows of the 17 abolished districts summed)."""
    src = contracts.get(TABLE).bundled_files()[0][0]
    with open(src, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    succ = {
        r["lad21_code"]: (r["lad23_code"], r["lad23_name"])
        for r in csv.DictReader(open(geography.paths().reference / "lad21_lad23_successors.csv"))
    }
    merged: dict[tuple[str, str], int] = {}
    kept = []
    for r in rows:
        if r["code"] in succ:
            code, name = succ[r["code"]]
            if (code, r["year"]) not in merged:
                kept.append({"code": code, "name": name, "year": r["year"], "population": None})
            merged[(code, r["year"])] = merged.get((code, r["year"]), 0) + int(r["population"])
        else:
            kept.append(r)
    for r in kept:
        if r["population"] is None:
            r["population"] = merged[(r["code"], r["year"])]
    if edit:
        kept = edit(kept)
    f = out / "ons_mid_year_population_2023_geography.csv"
    with open(f, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["code", "name", "year", "population"])
        w.writeheader()
        w.writerows(kept)
    return f


def test_geography_years_are_built_from_the_reference_seeds():
    g = geography.geographies()
    assert {y: len(codes) for y, codes in g.items()} == {2016: 348, 2019: 339, 2020: 336, 2021: 331, 2023: 318}
    assert {c: g[2023][c] for c in NEW} == NEW
    assert "E07000026" in g[2021] and "E07000026" not in g[2023]  # Allerdale, abolished April 2023
    assert g[2020]["E06000060"] == g[2016]["E07000004"] == "E23000029"  # Buckinghamshire, Aylesbury Vale


def test_a_code_of_no_geography_year_is_refused_naming_file_row_column_and_value(var_dir, tmp_path):
    def unknown(rows):
        rows[4]["code"] = "E06000099"  # row 5 under the header
        return rows

    land_file(_on_2023_geography(tmp_path, unknown), TABLE, dt.date(2024, 7, 1))
    with pytest.raises(BadDataError) as e:
        pipeline.ingest(tables=[TABLE])
    msg = str(e.value)
    assert (
        "ons_mid_year_population_2023_geography.csv: column 'code', row(s) 5: 'E06000099' is a district "
        "code of no local authority geography year"
    ) in msg, msg
    assert "expected 331" not in msg


def test_a_year_missing_a_district_names_it_and_the_nearest_geography_year(var_dir, tmp_path):
    def drop_somerset_2015(rows):
        return [r for r in rows if not (r["code"] == "E06000066" and r["year"] == "2015")]

    land_file(_on_2023_geography(tmp_path, drop_somerset_2015), TABLE, dt.date(2024, 7, 1))
    with pytest.raises(BadDataError) as e:
        pipeline.ingest(tables=[TABLE])
    msg = str(e.value)
    assert (
        "year 2015: its 317 district codes (code) are no geography year's set; nearest is 2023 geography "
        "(318 districts): missing E06000066"
    ) in msg, msg


def test_population_on_2023_geography_loads_with_force_totals_unchanged(copy_of_built, tmp_path):
    def totals(con):
        return dict(
            ((a, d), v)
            for a, d, v in con.execute(
                "select area_code, period_end, value from marts.metric_values where metric_id = 'population'"
            ).fetchall()
        )

    with duckdb.connect(str(copy_of_built / "warehouse.duckdb"), read_only=True) as con:
        before = totals(con)
    land_file(_on_2023_geography(tmp_path), TABLE, dt.date.today())
    proc = run_pcp("build", var=copy_of_built, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with duckdb.connect(str(copy_of_built / "warehouse.duckdb"), read_only=True) as con:
        assert totals(con) == before and len(before) >= 20 * 44
    # intermediate and staging models live in the pipeline's working file, not the analysts' file
    with duckdb.connect(str(copy_of_built / "build" / "working.duckdb"), read_only=True) as con:
        assert con.execute(
            "select lad_code, area_code, lookups_agree from intermediate.int_population__lad_pfa "
            "where lad_code like 'E0600006_' and lad_code >= 'E06000063' order by 1"
        ).fetchall() == [(c, a, True) for c, a in NEW.items()]
        # the published years now come from the 2023-geography edition: 318 districts each
        assert con.execute(
            "select count(distinct lad_code), count(distinct mid_year) from staging.stg_ons__population_by_lad"
        ).fetchall() == [(318, 20)]
