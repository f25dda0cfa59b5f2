"""Workforce (September tables, editions ranked by vintage) and population (ONS, per-100k rates):
published figures reproduced from the marts, the vintage rule, the 2016/2021 geography join, and
the ODS reader's errors."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from conftest import PROJECT, file_digest, run_pcp

WORKFORCE = PROJECT / "seeds/sources/workforce"
SEP15 = WORKFORCE / "police-workforce-tabs-30sep15.ods"
SEP19 = WORKFORCE / "police-workforce-sep19-tables.ods"


def _metric(con, metric, area, date):
    rows = con.execute(
        "select value, numerator, denominator from marts.metric_values where metric_id = ? "
        "and area_code = ? and period_end = ?",
        [metric, area, date],
    ).fetchall()
    assert len(rows) <= 1
    return rows[0] if rows else None


# --- published totals rows reproduced -------------------------------------------------------------


def test_every_total_43_forces_row_equals_the_sum_of_its_edition_forces(pipeline_store):
    rows = pipeline_store.execute("""
        select source_file, sheet, period_end,
               max(value) filter (where is_total_row) as published_total,
               sum(value) filter (where not is_total_row) as forces_sum,
               count(*) filter (where not is_total_row) as forces
        from staging.stg_home_office__workforce_september_tables
        group by all order by all
    """).fetchall()
    # 5 editions x 3 sheets x 3 snapshots, plus the 2019 headcount sheets (2 sheets x 2 snapshots)
    assert len(rows) == 49
    for file, sheet, period, total, forces_sum, n in rows:
        assert n == 43, (file, sheet, period)
        assert abs(total - forces_sum) < 0.01, (file, sheet, period, total, forces_sum)


def test_marts_reproduce_the_total_row_of_the_winning_edition(pipeline_store):
    # Where an ODS edition is the one the marts use, marts' England and Wales (the sum of the 43 forces)
    # equals that edition's published "Total 43 forces" row.
    rows = pipeline_store.execute("""
        select t.period_end, t.worker_type, t.measure, t.value, f.value
        from staging.stg_home_office__workforce_september_tables t
        join marts.fct_workforce f on f.area_code = 'K04000001' and f.period_end = t.period_end
         and f.worker_type = t.worker_type and f.measure = t.measure and f.vintage = t.vintage
        where t.is_total_row order by all""").fetchall()
    # every 30 September 2014-2019 for officers FTE and specials, PCSOs FTE to 2018 (Norfolk ".." in
    # Sep 2019), officers headcount Sep 2019; the 31 March figures come from the later open data
    assert len(rows) == 18
    for period, worker, measure, published_total, from_forces in rows:
        assert abs(published_total - from_forces) < 0.01, (period, worker, measure)
    assert (dt.date(2019, 9, 30), "officer", "fte") in [r[:3] for r in rows]


def test_sep15_officers_and_the_later_edition_that_wins(pipeline_store):
    # sep15 Table_1: 125,184.76 FTE at 30 Sep 2015; the sep16 edition restates it (Wiltshire) as 125,573.55.
    by_edition = dict(
        pipeline_store.execute("""
        select source_file, sum(value) from staging.stg_home_office__workforce_september_tables
        where worker_type = 'officer' and measure = 'fte' and period_end = date '2015-09-30'
          and not is_total_row group by 1""").fetchall()
    )
    assert round(by_edition[SEP15.name], 2) == 125184.76
    assert round(by_edition["police-workforce-tables-sep16.ods"], 2) == 125573.55
    assert round(_metric(pipeline_store, "officers_fte", "K04000001", dt.date(2015, 9, 30))[0], 2) == 125573.55


def test_sep19_specials_march_2019_later_open_data_wins(pipeline_store):
    total = pipeline_store.execute(
        """
        select value, sheet, sheet_row from staging.stg_home_office__workforce_september_tables
        where source_file = ? and worker_type = 'special_constable' and is_total_row
          and period_end = date '2019-03-31'""",
        [SEP19.name],
    ).fetchall()
    assert total == [(10640.0, "Table_12", 60)]
    assert _metric(pipeline_store, "specials_headcount", "K04000001", dt.date(2019, 3, 31))[0] == 10642


def test_march_2019_officers_two_vintages_kept_later_wins(pipeline_store):
    sums = pipeline_store.execute("""
        select vintage, round(sum(value), 2) from intermediate.int_workforce__vintages
        where worker_type = 'officer' and measure = 'fte' and period_end = date '2019-03-31'
          and not is_total_row group by 1 order by 1""").fetchall()
    # sep19 tables (30 Jan 2020) and the lesscrime compilation (same figures) < open data (27 Jul 2022)
    assert (dt.date(2020, 1, 30), 123170.86) in sums and sums[-1] == (dt.date(2022, 7, 27), 123188.86)
    assert round(_metric(pipeline_store, "officers_fte", "K04000001", dt.date(2019, 3, 31))[0], 2) == 123188.86


def test_thames_valley_september_2020(published):
    assert round(_metric(published, "officers_fte", "E23000029", dt.date(2020, 9, 30))[0], 2) == 4415.27
    assert round(_metric(published, "officers_fte", "K04000001", dt.date(2020, 9, 30))[0], 2) == 132467.15


def test_vintage_rule_holds_for_every_mart_row(pipeline_store):
    # Each force figure in fct_workforce comes from the latest edition that has a figure for it.
    bad = pipeline_store.execute("""
        with latest as (
            select area_code, period_end, worker_type, measure, max(vintage) as vintage
            from intermediate.int_workforce__vintages
            where not is_total_row and value is not null group by all)
        select f.area_code, f.period_end, f.worker_type, f.measure, f.vintage, l.vintage
        from marts.fct_workforce f join latest l using (area_code, period_end, worker_type, measure)
        where f.area_code <> 'K04000001' and f.vintage <> l.vintage limit 5""").fetchall()
    assert bad == []
    # and a force figure missing from the marts would be a force row nobody used
    assert pipeline_store.execute("""
        select count(*) from (select distinct area_code, period_end, worker_type, measure
                              from intermediate.int_workforce__vintages where not is_total_row and value is not null)
        anti join marts.fct_workforce using (area_code, period_end, worker_type, measure)""").fetchall() == [(0,)]


def test_half_yearly_snapshots_2014_to_2025(published):
    ew = [
        r[0]
        for r in published.execute(
            "select period_end from marts.metric_values where metric_id = 'officers_fte' and area_code = 'K04000001' "
            "and period_end >= date '2014-09-30' order by 1"
        ).fetchall()
    ]
    half_years = [dt.date(y, 3, 31) for y in range(2015, 2021)] + [dt.date(y, 9, 30) for y in range(2014, 2021)]
    expected = sorted(half_years)
    # 31 March 2026: the 43 forces from The Justice Pipeline's table (issue 14, test_fresher_workforce.py)
    assert ew == expected + [dt.date(2021, 3, 31), dt.date(2022, 3, 31), dt.date(2026, 3, 31)]
    tv = published.execute(
        "select period_end, metric_id, value from marts.metric_values where area_code = 'E23000029' "
        "and period_end >= date '2024-01-01' and metric_id in ('officers_fte', 'officers_per_100k', 'pcsos_fte') "
        "order by 2, 1"
    ).fetchall()  # the workforce figures (the SAMPLE monthly feeds run to 2026 too)
    assert [(d.isoformat(), m, v) for d, m, v in tv] == [
        ("2024-09-30", "officers_fte", 5023),
        ("2025-03-31", "officers_fte", 5000),
        ("2025-09-30", "officers_fte", 4993),
        ("2026-03-31", "officers_fte", 5085),
        # per 100k from the mid-2024 PFA population for every date of 2024/25 to 2026/27 (the population rule)
        *[
            (d, "officers_per_100k", pytest.approx(v / 2640200 * 100000))
            for d, v in (("2024-09-30", 5023), ("2025-03-31", 5000), ("2025-09-30", 4993), ("2026-03-31", 5085))
        ],
        ("2024-09-30", "pcsos_fte", 249),
        ("2025-03-31", "pcsos_fte", 258),
        ("2025-09-30", "pcsos_fte", 242),
    ]
    # Kent is missing from the 2024-2025 source: no England and Wales figure for those dates
    assert published.execute(
        "select count(*) from marts.fct_workforce where area_code = 'K04000001' "
        "and period_end between date '2024-01-01' and date '2025-12-31'"
    ).fetchall() == [(0,)]
    # specials headcount every half-year 30 Sep 2014 - 30 Sep 2019 for Thames Valley
    n = published.execute(
        "select count(*) from marts.metric_values where metric_id = 'specials_headcount' "
        "and area_code = 'E23000029' and period_end between '2014-09-30' and '2019-09-30'"
    ).fetchall()[0][0]
    assert n == 11


def test_footnote_markers_stripped(pipeline_store):
    labels = {
        r[0]
        for r in pipeline_store.execute(
            "select distinct home_office_force_name from staging.stg_home_office__workforce_september_tables"
        ).fetchall()
    }
    assert "Wiltshire" in labels and "Derbyshire" in labels
    assert not [x for x in labels if x[-1].isdigit()]


# --- population -----------------------------------------------------------------------------------


def test_population_by_force_area_mid_2020(published):
    d = dt.date(2020, 6, 30)
    assert _metric(published, "population", "E23000029", d)[0] == 2431905
    assert _metric(published, "population", "E23000021", d)[0] == 1107597
    assert _metric(published, "population", "K04000001", d)[0] == 59719724
    total = published.execute(
        "select sum(value), count(*) from marts.metric_values where metric_id = 'population' "
        "and period_end = ? and area_code <> 'K04000001'",
        [d],
    ).fetchall()
    assert total == [(59719724.0, 43)]


def test_buckinghamshire_lands_in_thames_valley(pipeline_store):
    row = pipeline_store.execute(
        "select area_code, lad16_districts, lookups_agree from intermediate.int_population__lad_pfa "
        "where lad_code = 'E06000060'"
    ).fetchall()
    assert row == [("E23000029", "Aylesbury Vale, Chiltern, South Bucks, Wycombe", True)]
    bucks = pipeline_store.execute(
        "select population from staging.stg_ons__population_by_lad where lad_code = 'E06000060' and mid_year = 2020"
    ).fetchall()[0][0]
    without = pipeline_store.execute("""
        select sum(p.population) from staging.stg_ons__population_by_lad p
        join intermediate.int_population__lad_pfa m using (lad_code)
        where m.area_code = 'E23000029' and p.mid_year = 2020 and p.lad_code <> 'E06000060'""").fetchall()[0][0]
    assert without + bucks == 2431905
    # every district maps, and the 2016 route agrees with the 2021 lookup (Northamptonshire codes trimmed)
    assert pipeline_store.execute(
        "select count(*), count(*) filter (where lookups_agree) from intermediate.int_population__lad_pfa"
    ).fetchall() == [(331, 331)]


def test_per_100k_rates_use_the_population_of_their_financial_year(published):
    v, num, den = _metric(published, "officers_per_100k", "E23000029", dt.date(2020, 9, 30))
    assert (num, den) == (pytest.approx(4415.27), 2431905)
    assert v == pytest.approx(4415.27 / 2431905 * 100000)
    # 31 March 2019 uses mid-2018, 30 September 2019 uses mid-2019
    mar19 = _metric(published, "pcsos_per_100k", "E23000021", dt.date(2019, 3, 31))
    assert mar19[2] == _metric(published, "population", "E23000021", dt.date(2018, 6, 30))[0]
    assert mar19[1] == _metric(published, "pcsos_fte", "E23000021", dt.date(2019, 3, 31))[0]
    sep19 = _metric(published, "officers_per_100k", "K04000001", dt.date(2019, 9, 30))
    assert sep19[2] == _metric(published, "population", "K04000001", dt.date(2019, 6, 30))[0]
    # the rule (int_population__for_period): the financial year's mid-year, else the latest up to 2
    # years older; no LAD estimate after mid-2020 is bundled, so 31 March 2022 uses mid-2020 and
    # 2023/24 has none; from 2024/25 the mid-2024 PFA population bundled beside the 2026 officers
    after = published.execute(
        "select distinct metric_id, period_end, regexp_extract(source, 'mid-(\\d{4})', 1) "
        "from marts.metric_values where metric_id in ('officers_per_100k', 'pcsos_per_100k') "
        "and period_end > date '2021-03-31' order by all"
    ).fetchall()
    assert {(p, y) for _, p, y in after} == {
        (dt.date(2022, 3, 31), "2020"),
        (dt.date(2024, 9, 30), "2024"),
        (dt.date(2025, 3, 31), "2024"),
        (dt.date(2025, 9, 30), "2024"),
        (dt.date(2026, 3, 31), "2024"),
    }
    assert ("officers_per_100k", dt.date(2026, 3, 31), "2024") in after


# --- the ODS reader -------------------------------------------------------------------------------


def _rewrite_ods(src, dst, sheet: str, edit) -> None:
    """Copy an ODS with one sheet's grid replaced by ``edit(grid)`` (pandas + odfpy, as the reader reads)."""
    import pandas as pd

    sheets = pd.read_excel(src, sheet_name=None, header=None, engine="odf")
    sheets[sheet] = edit(sheets[sheet])
    with pd.ExcelWriter(dst, engine="odf") as w:
        for name, grid in sheets.items():
            grid.to_excel(w, sheet_name=name, header=False, index=False)


def test_unknown_force_name_names_file_sheet_and_row(var_dir):
    from warehouse.core import contracts
    from warehouse.core.errors import ContractError
    from warehouse.ingest.readers.home_office_workforce_tables import read_workforce_tables

    bad = var_dir / "misspelt.ods"

    def misspell(grid):
        r = grid.index[grid[0].astype(str).str.strip() == "Thames Valley"][0]
        grid.iat[r, 0] = "Thames Vally"
        return grid

    _rewrite_ods(SEP15, bad, "Table_3", misspell)
    with duckdb.connect() as con, pytest.raises(ContractError) as e:
        read_workforce_tables(con, bad, contracts.get("home_office__workforce_september_tables"))
    msg = str(e.value)
    assert "misspelt.ods, sheet Table_3: row 48: 'Thames Vally'" in msg and "not a known police force" in msg


def test_text_dates_with_footnotes_and_bad_cells(var_dir):
    from warehouse.core import contracts
    from warehouse.core.errors import ContractError
    from warehouse.ingest.readers.home_office_workforce_tables import read_workforce_tables

    contract = contracts.get("home_office__workforce_september_tables")
    text_dates = var_dir / "text_dates.ods"

    def date_as_text(grid):  # header cell D6 written as text with footnote marker 2
        grid[3] = grid[3].astype(object)
        grid.iat[5, 3] = "30 September 20152"
        return grid

    _rewrite_ods(SEP15, text_dates, "Table_1", date_as_text)
    with duckdb.connect() as con:
        rel = read_workforce_tables(con, text_dates, contract)
        got = rel.query(
            "t", "select value from t where sheet = 'Table_1' and is_total_row and snapshot_date = date '2015-09-30'"
        ).fetchall()
    assert got == [(125184.76,)]

    bad = var_dir / "bad_cell.ods"

    def text_in_cell(grid):  # C48: Thames Valley specials at 31 March 2015
        grid[2] = grid[2].astype(object)
        grid.iat[47, 2] = "n/a"
        return grid

    _rewrite_ods(SEP15, bad, "Table_5", text_in_cell)
    with duckdb.connect() as con, pytest.raises(ContractError) as e:
        read_workforce_tables(con, bad, contract)
    assert "bad_cell.ods, sheet Table_5: cell C48 (Thames Valley, 2015-03-31) is 'n/a'" in str(e.value)


def test_corrupted_ods_is_stopped_and_nothing_published_changes(copy_of_built):
    from warehouse.ingest import landing

    before = file_digest(copy_of_built / "warehouse.duckdb")
    bad = copy_of_built.parent / "police-workforce-sep19-restated.ods"

    def drop_norfolk(grid):  # 42 forces in the officers sheet
        return grid[grid[0].astype(str).str.strip() != "Norfolk"]

    _rewrite_ods(SEP19, bad, "Table_1", drop_norfolk)
    landing.land_file(bad, "home_office__workforce_september_tables")
    proc = run_pcp("build", var=copy_of_built, check=False)
    assert proc.returncode == 2
    assert "police-workforce-sep19-restated.ods, sheet Table_1: expected 43 forces" in proc.stderr
    assert "missing E23000024" in proc.stderr
    assert file_digest(copy_of_built / "warehouse.duckdb") == before
