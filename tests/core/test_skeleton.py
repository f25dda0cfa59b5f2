"""The walking skeleton, end to end: real file -> raw -> GE gate -> dbt -> published mart."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from conftest import PROJECT, file_digest, run_pcp

WORKFORCE_CSV = PROJECT / "seeds/sources/workforce/ho_police_workforce_open_data_mar2007_mar2022.csv"


def test_officers_fte_matches_home_office_published_figure(published):
    # Home Office: 140,228 FTE police officers in the 43 territorial forces on 31 March 2022.
    v = published.execute(
        "select round(value) from marts.metric_values where metric_id = 'officers_fte' "
        "and area_code = 'K04000001' and period_end = date '2022-03-31'"
    ).fetchall()
    assert v == [(140228.0,)]


def test_national_series_agrees_with_force_sum(pipeline_store):
    # Table H3 (2024 edition) against the sum of the 43 forces in the 2022 open-data table.
    rows = pipeline_store.execute("""
        select f.period_end, f.value, h.fte
        from marts.metric_values f
        join staging.stg_home_office__workforce_ew_timeseries h
          on h.period_end = f.period_end and h.worker_type = 'officer'
        where f.metric_id = 'officers_fte' and f.area_code = 'K04000001'
    """).fetchall()
    assert len(rows) == 16
    for period, from_forces, national in rows:
        assert abs(from_forces - national) < 0.5, period


def test_metric_values_contract(published):
    cols = published.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'metric_values' order by ordinal_position"
    ).fetchall()
    have = dict(cols)
    for name, typ in [
        ("metric_id", "VARCHAR"),
        ("area_code", "VARCHAR"),
        ("area_name", "VARCHAR"),
        ("period_end", "DATE"),
        ("value", "DOUBLE"),
        ("unit", "VARCHAR"),
        ("is_sample", "BOOLEAN"),
        ("source", "VARCHAR"),
    ]:
        assert have.get(name) == typ, name
    tv = published.execute(
        "select area_name, value from marts.metric_values where metric_id = 'specials_headcount' "
        "and area_code = 'E23000029' and period_end = date '2022-03-31'"
    ).fetchall()
    assert tv and tv[0][0] == "Thames Valley" and tv[0][1] > 0
    # special constables have no FTE in this file: its zeros must not become a metric
    assert published.execute(
        "select count(*) from marts.metric_values where metric_id like 'specials_fte%'"
    ).fetchall() == [(0,)]


def test_raw_load_records_lineage(published, pipeline_store):
    rows = published.execute(
        "select source_file, length(sha256), status, rows_read from meta.loads "
        "where source_table = 'home_office__workforce_open_data'"
    ).fetchall()
    assert rows == [(WORKFORCE_CSV.name, 64, "accepted", 25198)]
    n = pipeline_store.execute(
        "select count(*), count(distinct _load_id), min(_loaded_at) is not null "
        "from raw.home_office__workforce_open_data"
    ).fetchall()
    assert n == [(25198, 1, True)]


def test_second_build_is_a_no_op(copy_of_built):
    before = file_digest(copy_of_built / "warehouse.duckdb")
    proc = run_pcp("build", var=copy_of_built)
    assert "already loaded" in proc.stdout
    assert "published warehouse unchanged" in proc.stdout
    assert file_digest(copy_of_built / "warehouse.duckdb") == before


def test_sql_command_prints_the_published_figure(built_var):
    proc = run_pcp(
        "sql",
        "select round(value)::bigint as v from marts.metric_values where metric_id='officers_fte' "
        "and area_code='K04000001' and period_end=date '2022-03-31'",
        var=built_var,
    )
    assert "140228" in proc.stdout


def test_sql_command_is_read_only(built_var):
    proc = run_pcp("sql", "create table marts.x as select 1", var=built_var, check=False)
    assert proc.returncode != 0
    assert "read-only" in (proc.stdout + proc.stderr).lower()


def _corrupt(src, dst, line_no: int, column: str, value: str) -> None:
    import csv

    with open(src, newline="") as fi:
        rows = list(csv.reader(fi))
    idx = rows[0].index(column)
    rows[line_no][idx] = value
    with open(dst, "w", newline="") as fo:
        csv.writer(fo, lineterminator="\n").writerows(rows)


@pytest.mark.parametrize(
    "column,value,expect",
    [
        ("worker_type", "police dog", "expect_column_values_to_be_in_set"),
        ("total_headcount", "-5", "expect_column_values_to_be_between"),
        ("geo_code", "E99999999", "expect_column_values_to_match_regex"),
        ("sex", "Unknown", "expect_column_values_to_be_in_set"),
    ],
)
def test_corrupted_copy_is_stopped_and_nothing_published_changes(copy_of_built, column, value, expect):
    from warehouse.ingest import landing

    before = file_digest(copy_of_built / "warehouse.duckdb")
    bad = copy_of_built.parent / "restated.csv"
    _corrupt(WORKFORCE_CSV, bad, 101, column, value)
    landing.land_file(bad, "home_office__workforce_open_data")
    proc = run_pcp("build", var=copy_of_built, check=False)
    assert proc.returncode == 2
    err = proc.stderr
    assert "restated.csv" in err and expect in err and column in err and value.strip("-") in err
    assert "rows 101" in err or "row 101" in err or "rows 101," in err
    assert file_digest(copy_of_built / "warehouse.duckdb") == before
    con = duckdb.connect(str(copy_of_built / "warehouse.duckdb"), read_only=True)
    # only the bundled file's load: the rejected restatement never reaches the published file
    assert con.execute(
        "select count(*) from meta.loads where source_table = 'home_office__workforce_open_data'"
    ).fetchall() == [(1,)]
    con.close()


def test_forty_three_forces_per_snapshot_is_enforced(copy_of_built):
    import csv

    from warehouse.ingest import landing

    with open(WORKFORCE_CSV, newline="") as fi:
        rows = list(csv.reader(fi))
    kept = [rows[0]] + [r for r in rows[1:] if not (r[0] == "2021-03-01" and r[1] == "E23000029")]
    bad = copy_of_built.parent / "missing_force.csv"
    with open(bad, "w", newline="") as fo:
        csv.writer(fo, lineterminator="\n").writerows(kept)
    landing.land_file(bad, "home_office__workforce_open_data")
    proc = run_pcp("build", var=copy_of_built, check=False)
    assert proc.returncode == 2
    assert "2021-03-01: 42" in proc.stderr


def test_unknown_column_is_a_contract_error(var_dir):
    from warehouse.core import contracts, db
    from warehouse.core.errors import ContractError
    from warehouse.ingest import load

    bad = var_dir / "renamed.csv"
    text = WORKFORCE_CSV.read_text().replace("total_fte", "fte_total", 1)
    bad.write_text(text)
    with db.writer() as con, pytest.raises(ContractError) as e:
        load.load_file(con, contracts.get("home_office__workforce_open_data"), bad)
    msg = str(e.value)
    assert "renamed.csv" in msg and "missing column(s) ['total_fte']" in msg and "fte_total" in msg


def test_text_in_number_column_names_row_and_value(var_dir):
    from warehouse.core import contracts, db
    from warehouse.core.errors import ContractError
    from warehouse.ingest import load

    bad = var_dir / "text.csv"
    _corrupt(WORKFORCE_CSV, bad, 7, "total_headcount", "twelve")
    with db.writer() as con, pytest.raises(ContractError) as e:
        load.load_file(con, contracts.get("home_office__workforce_open_data"), bad)
    assert "text.csv" in str(e.value) and "'total_headcount'" in str(e.value) and "row 7: 'twelve'" in str(e.value)


def test_suites_match_contracts(tmp_path, monkeypatch):
    """The checked-in GE suites are exactly what the contracts imply (no drift)."""
    import json

    from warehouse.gate import quality

    work = tmp_path / "proj"
    shutil.copytree(PROJECT / "expectations", work / "expectations")
    for d in ("dbt_project", "seeds"):
        (work / d).symlink_to(PROJECT / d)
    monkeypatch.setenv("PCP_PROJECT_DIR", str(work))
    quality.build_suites()
    for f in (PROJECT / "expectations/gx/expectations").glob("*.json"):
        a = json.loads(f.read_text())
        b = json.loads((work / "expectations/gx/expectations" / f.name).read_text())

        def strip(s):
            return [{k: v for k, v in e.items() if k not in ("id",)} for e in s["expectations"]]

        assert strip(a) == strip(b), f"{f.name} is out of date: run `pcp expectations`"
