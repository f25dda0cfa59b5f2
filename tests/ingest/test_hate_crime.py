"""Hate crime: the published figures of the bundled Home Office files, reproduced from the marts, and
a corrupted copy of each raw table stopped with a clear message while the published warehouse stays."""

from __future__ import annotations

import csv

import duckdb
import pytest

from conftest import PROJECT, file_digest, run_pcp

HATE = PROJECT / "seeds/sources/hate_crime"
BBC_CSV = HATE / "bbc_hate_crime_by_force_strand_2017_18_2018_19.csv"
BULLETIN_ODS = HATE / "hate-crime-1819-hosb2419-tables.ods"
RR_CSV = HATE / "ho_crime_outcomes_2017_18_racially_religiously_aggravated_all_forces.csv"
EW = "K04000001"


def _metric(con, metric_id, area_code, period_end):
    rows = con.execute(
        "select value, numerator, denominator, unit, period_type, is_sample from marts.metric_values "
        "where metric_id = ? and area_code = ? and period_end = ?::date",
        [metric_id, area_code, period_end],
    ).fetchall()
    assert len(rows) == 1, (metric_id, area_code, period_end, rows)
    return rows[0]


# --- published figures -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric_id,period_end,expected",
    [
        ("hate_crimes", "2018-03-31", 90835),  # 43 forces, 2017/18
        ("hate_crimes", "2019-03-31", 99821),  # 43 forces, 2018/19
        ("hate_crimes_race", "2019-03-31", 76192),
        ("hate_crimes_religion", "2019-03-31", 8163),
        ("hate_crimes_sexual_orientation", "2019-03-31", 13935),
        ("hate_crimes_disability", "2019-03-31", 8182),
        ("hate_crimes_transgender", "2019-03-31", 2291),
    ],
)
def test_england_and_wales_is_the_43_force_total(published, metric_id, period_end, expected):
    value, num, den, unit, period_type, is_sample = _metric(published, metric_id, EW, period_end)
    assert (value, unit, period_type, is_sample) == (expected, "count", "financial_year", False)


def test_every_force_in_both_years_and_strands_add_up(published):
    n = published.execute(
        "select period_end, count(distinct area_code) from marts.fct_hate_crime_annual "
        "where area_code <> ? group by 1 order by 1",
        [EW],
    ).fetchall()
    assert [c for _, c in n] == [43, 43]
    # one offence may have several motivating factors: the strands add up to the factors total
    bad = published.execute("""
        select area_code, period_end,
               sum(crimes) filter (where strand not like 'total%') as strands,
               max(crimes) filter (where strand = 'total_motivating_factors') as factors
        from marts.fct_hate_crime_annual group by all having strands <> factors""").fetchall()
    assert bad == []


def test_rate_per_100k_uses_the_ons_mid_year_estimate(pipeline_store):
    # 2018/19 is divided by mid-2018, 2017/18 by mid-2017 (the year the financial year starts in)
    rows = pipeline_store.execute("""
        select m.area_code, m.period_end, m.value, m.numerator, m.denominator, p.population, h.crimes
        from marts.metric_values m
        join intermediate.int_population__pfa_year p
          on p.area_code = m.area_code and p.mid_year = year(m.period_end) - 1
        join marts.fct_hate_crime_annual h
          on h.area_code = m.area_code and h.period_end = m.period_end and h.strand = 'total_offences'
        where m.metric_id = 'hate_crimes_per_100k'""").fetchall()
    assert len(rows) == 88  # (43 forces + England and Wales) x 2 years
    for area, period, value, num, den, pop, crimes in rows:
        assert (num, den) == (crimes, pop), (area, period)
        assert value == pytest.approx(crimes / pop * 100000)
    tv = {r[1].year: r for r in rows if r[0] == "E23000029"}
    assert tv[2019][3] == 3624 and 2_300_000 < tv[2019][4] < 2_500_000


def test_bbc_population_is_ons_mid_2018_with_the_city_inside_the_met(pipeline_store):
    """The BBC's population column (year not stated) is the ONS mid-2018 estimate rounded to 100, the
    Metropolitan Police figure including the City of London (hence "#N/A" for the City)."""
    rows = dict(
        (
            (a, (bbc, ons))
            for a, bbc, ons in pipeline_store.execute("""
        select area_code, bbc_population, population from marts.fct_hate_crime_annual
        where strand = 'total_offences' and period_end = date '2019-03-31' and area_code <> 'K04000001'""").fetchall()
        )
    )
    assert len(rows) == 43 and rows["E23000034"][0] is None
    met_bbc, met_ons = rows.pop("E23000001")
    city = rows.pop("E23000034")[1]
    assert abs(met_bbc - (met_ons + city)) <= 50
    assert all(abs(bbc - ons) <= 50 for bbc, ons in rows.values())
    # "#N/A" became NULL explicitly in raw, and "2,407,600" the number 2407600
    assert pipeline_store.execute(
        "select year, population, offences_per_100k from raw.bbc__hate_crime_by_force_strand "
        "where force in ('London, City of', 'Thames Valley') order by force, year"
    ).fetchall() == [
        ("2017-18", None, None),
        ("2018-19", None, None),
        ("2017-18", 2407600, 100),
        ("2018-19", 2407600, 151),
    ]


@pytest.mark.parametrize(
    "financial_year,measure,expected",
    [
        ("2018/19", "offences", 103379),
        ("2017/18", "offences", 94121),  # header cell "2017/183" (footnote 3)
        ("2012/13", "offences", 42255),
        ("2018/19", "race", 78991),
        ("2018/19", "transgender", 2333),
        ("2018/19", "motivating_factors", 112637),
    ],
)
def test_bulletin_table_2(published, financial_year, measure, expected):
    rows = published.execute(
        "select crimes, coverage from marts.fct_hate_crime_ew_bulletin where financial_year = ? and measure = ?",
        [financial_year, measure],
    ).fetchall()
    assert rows == [(expected, "44 forces (43 territorial and British Transport Police)")]


def test_bulletin_blank_cell_is_no_figure_not_zero(pipeline_store):
    assert pipeline_store.execute(
        "select count(*) from marts.fct_hate_crime_ew_bulletin "
        "where financial_year = '2011/12' and measure = 'offences'"
    ).fetchall() == [(0,)]
    assert pipeline_store.execute(
        "select crimes from raw.home_office__hate_crime_ew_by_strand "
        "where financial_year = '2011/12' and measure = 'offences'"
    ).fetchall() == [(None,)]
    # the 44-force bulletin is above the 43-force sum in both years (British Transport Police)
    rows = pipeline_store.execute("""
        select b.financial_year, b.crimes, m.value from marts.fct_hate_crime_ew_bulletin b
        join marts.metric_values m on m.period_end = b.period_end and m.metric_id = 'hate_crimes'
             and m.area_code = 'K04000001'
        where b.measure = 'offences' order by 1""").fetchall()
    assert rows == [("2017/18", 94121, 90835.0), ("2018/19", 103379, 99821.0)]


def test_racially_or_religiously_aggravated_outcomes(published):
    total, forces = published.execute(
        "select sum(offences), count(distinct force_name) from marts.fct_rr_aggravated_outcomes"
    ).fetchall()[0]
    assert (total, forces) == (56093, 44)
    assert published.execute(
        "select count(*) from marts.fct_rr_aggravated_outcomes where area_code is null "
        "and force_name <> 'British Transport Police'"
    ).fetchall() == [(0,)]
    assert _metric(published, "rr_aggravated_offences", "E23000029", "2018-03-31")[0] == 1451
    assert _metric(published, "rr_aggravated_offences", "E23000021", "2018-03-31")[0] == 706
    value, num, den, unit, period_type, _ = _metric(published, "rr_aggravated_charged_pct", "E23000029", "2018-03-31")
    assert (num, den, unit, period_type) == (338, 1451, "percent", "financial_year")
    assert value == pytest.approx(100 * 338 / 1451)
    assert _metric(published, "rr_aggravated_charged_pct", "E23000021", "2018-03-31")[1:3] == (155, 706)
    # England and Wales = 43 territorial forces: the 44-force total less British Transport Police
    btp = published.execute(
        "select sum(offences) from marts.fct_rr_aggravated_outcomes where force_name = 'British Transport Police'"
    ).fetchall()[0][0]
    assert _metric(published, "rr_aggravated_offences", EW, "2018-03-31")[0] == 56093 - btp


def test_marts_hold_aggregates_only(published):
    cols = published.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts' "
        "and (table_name like '%hate%' or table_name like '%rr_aggravated%')"
    ).fetchall()
    assert cols and not [c for c in cols if c[1] in ("crime_id", "persistent_id", "latitude", "longitude")]


# --- corrupted files ---------------------------------------------------------------------------


def _rewrite_csv(src, dst, row: int, column: str, value: str) -> None:
    with open(src, newline="", encoding="utf-8") as fi:
        rows = list(csv.reader(fi))
    rows[row][rows[0].index(column)] = value
    with open(dst, "w", newline="", encoding="utf-8") as fo:
        csv.writer(fo, lineterminator="\n").writerows(rows)


def _rewrite_ods(src, dst, sheet: str, row: int, col: int, value) -> None:
    import pandas as pd

    sheets = pd.read_excel(src, sheet_name=None, header=None, engine="odf")
    sheets[sheet] = sheets[sheet].astype(object)
    sheets[sheet].iat[row, col] = value
    with pd.ExcelWriter(dst, engine="odf") as w:
        for name, df in sheets.items():
            df.to_excel(w, sheet_name=name, header=False, index=False)


def _build_stops(var, bad, table: str) -> str:
    """Land ``bad`` for ``table``, run the real `pcp build`, and return its error text; assert nothing
    published changed and the load is on record as rejected."""
    from warehouse.ingest import landing

    before = file_digest(var / "warehouse.duckdb")
    landing.land_file(bad, table)
    proc = run_pcp("build", var=var, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "nothing published" in proc.stderr
    assert file_digest(var / "warehouse.duckdb") == before
    con = duckdb.connect(str(var / "build/working.duckdb"), read_only=True)
    try:
        status = con.execute(
            "select status from meta.loads where source_file = ? order by load_id desc limit 1", [bad.name]
        ).fetchall()
    finally:
        con.close()
    assert status == [("rejected",)]
    return proc.stderr


def test_corrupted_population_text_is_stopped(copy_of_built):
    bad = copy_of_built.parent / "hate_crime_population.csv"
    _rewrite_csv(BBC_CSV, bad, 35, "Population", "2.407.600")  # data row 35
    err = _build_stops(copy_of_built, bad, "bbc__hate_crime_by_force_strand")
    assert "hate_crime_population.csv" in err and "'Population'" in err and "row 35: '2.407.600'" in err
    assert "2,407,600" in err  # says what was expected


def test_corrupted_strand_count_is_stopped(copy_of_built):
    bad = copy_of_built.parent / "hate_crime_race.csv"
    _rewrite_csv(BBC_CSV, bad, 12, "Race", "#N/A")  # "#N/A" is accepted only where the contract says
    err = _build_stops(copy_of_built, bad, "bbc__hate_crime_by_force_strand")
    assert "hate_crime_race.csv" in err and "'race'" in err and "row 12: '#N/A'" in err and "integer" in err


def test_corrupted_bulletin_cell_is_stopped(copy_of_built):
    bad = copy_of_built.parent / "bulletin_tables.ods"
    _rewrite_ods(BULLETIN_ODS, bad, "Table_2", 5, 8, "78,991 (r)")  # Race, 2018/19 = cell I6
    err = _build_stops(copy_of_built, bad, "home_office__hate_crime_ew_by_strand")
    assert "bulletin_tables.ods" in err and "Table_2" in err and "cell I6 (Race, 2018/19)" in err
    assert "'78,991 (r)'" in err and "whole number" in err


def test_bulletin_with_a_renamed_line_is_stopped(copy_of_built):
    bad = copy_of_built.parent / "bulletin_renamed.ods"
    _rewrite_ods(BULLETIN_ODS, bad, "Table_2", 13, 0, "Total offences")
    err = _build_stops(copy_of_built, bad, "home_office__hate_crime_ew_by_strand")
    assert "bulletin_renamed.ods" in err and "['Total number of offences'] not found" in err


def test_corrupted_outcomes_file_is_stopped(copy_of_built):
    bad = copy_of_built.parent / "rr_outcomes.csv"
    _rewrite_csv(RR_CSV, bad, 100, "offence_code", "8X")
    err = _build_stops(copy_of_built, bad, "home_office__rr_aggravated_outcomes")
    assert "rr_outcomes.csv" in err and "offence_code" in err and "expect_column_values_to_be_in_set" in err
    assert "rows 100" in err and "8X" in err


def test_outcomes_file_missing_a_force_is_stopped(copy_of_built):
    with open(RR_CSV, newline="", encoding="utf-8") as fi:
        rows = list(csv.reader(fi))
    bad = copy_of_built.parent / "rr_outcomes_43.csv"
    with open(bad, "w", newline="", encoding="utf-8") as fo:
        csv.writer(fo, lineterminator="\n").writerows([r for r in rows if r[2] != "Thames Valley"])
    err = _build_stops(copy_of_built, bad, "home_office__rr_aggravated_outcomes")
    assert "rr_outcomes_43.csv" in err and "force_name" in err and "2017/18: 43" in err
