"""The analysts' database as analysts use it: other clients, `pcp sql`, exports, peers, lineage.

All against the shared build (read-only); clients run in their own environment made from
tests/clients/requirements.txt (from the package registry), never the project's venv.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, VENV_BIN, run_pcp

EW_OFFICERS_2022 = (
    "select round(value) from marts.metric_values where metric_id = 'officers_fte' "
    "and area_code = 'K04000001' and period_end = date '2022-03-31'"
)


@pytest.fixture(scope="session")
def clients(tmp_path_factory) -> Path:
    """A venv with the DuckDB CLI from PyPI and the previous DuckDB minor release (its own Python package)."""
    env_dir = tmp_path_factory.mktemp("clients") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True)
    subprocess.run(
        [
            str(VENV_BIN / "uv"),
            "pip",
            "install",
            "--quiet",
            "--python",
            str(env_dir / "bin" / "python"),
            "-r",
            str(PROJECT / "tests/clients/requirements.txt"),
        ],
        check=True,
        timeout=600,
    )
    return env_dir / "bin"


def test_the_published_file_opens_in_the_duckdb_cli_and_the_previous_duckdb_release(built_var, clients):
    published = built_var / "warehouse.duckdb"
    cli = subprocess.run(
        [str(clients / "duckdb"), "-readonly", "-csv", "-noheader", str(published), "-c", EW_OFFICERS_2022],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.strip() == "140228.0"  # Home Office: police officers FTE, England and Wales, 31 March 2022

    older = subprocess.run(
        [
            str(clients / "python"),
            "-c",
            "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
            "print(duckdb.__version__, con.execute(sys.argv[2]).fetchone()[0])",
            str(published),
            EW_OFFICERS_2022,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert older.returncode == 0, older.stderr
    assert older.stdout.split() == ["1.5.6", "140228.0"]


def test_pcp_sql_is_read_only_and_reaches_no_other_file(built_var, tmp_path):
    outside = tmp_path / "copied.csv"
    for query, said in [
        (f"copy (select * from marts.metric_values) to '{outside}'", "disabled by configuration"),
        ("select * from read_text('/etc/hostname')", "disabled by configuration"),
        (f"attach '{built_var / 'build' / 'working.duckdb'}' as w", "disabled by configuration"),
        ("set enable_external_access = true", "Cannot"),
        ("create table marts.mine as select 1", "read-only"),
        ("select * from no_such_table", "no_such_table"),
    ]:
        proc = run_pcp("sql", query, var=built_var, check=False)
        assert proc.returncode == 1, (query, proc.stdout, proc.stderr)
        assert said in proc.stderr and "Traceback" not in proc.stderr and not proc.stderr.startswith("pcp")
        assert len(proc.stderr.strip().splitlines()) <= 4  # DuckDB's message alone (with its LINE pointer)
    assert not outside.exists()
    assert run_pcp("sql", EW_OFFICERS_2022, "--csv", var=built_var).stdout.splitlines()[1] == "140228.0"


def test_pcp_export_writes_parquet_csv_and_a_data_dictionary_with_suppression(built_var, tmp_path):
    import duckdb

    out = tmp_path / "export"
    proc = run_pcp("export", "--out", str(out), var=built_var)
    assert f"to {out}" in proc.stdout
    con = duckdb.connect()
    assert (
        con.execute(
            f"select round(value) from '{out}/parquet/marts.metric_values.parquet' where metric_id = "
            f"'officers_fte' and area_code = 'K04000001' and period_end = date '2022-03-31'"
        ).fetchone()[0]
        == 140228
    )
    assert (
        con.execute(f"select count(*) from '{out}/csv/marts.metric_values.csv'").fetchone()[0]
        == con.execute(f"select count(*) from '{out}/parquet/marts.metric_values.parquet'").fetchone()[0]
        > 1000
    )
    described = con.execute(
        f"select description from '{out}/data_dictionary.csv' where \"table\" = 'metric_values' "
        f"and \"column\" = 'metric_id'"
    ).fetchone()[0]
    assert described.startswith("Stable metric id")  # the dbt docs, persisted as column comments
    # special-category partnership counts: nothing under 10 visible, [c] where suppressed, no rates
    da = con.execute(f"select * from read_csv('{out}/csv/marts.fct_domestic_abuse_monthly.csv', all_varchar=true)").df()
    assert "marts.fct_domestic_abuse_monthly" in proc.stdout and "csp_code" in da.columns
    assert not [c for c in da.columns if c.endswith(("_pct", "_rate", "per_100k"))]
    counts = [c for c in da.columns if da[c].eq("[c]").any()]
    assert counts, "some partnership counts are under 10 in the sample and must show as [c]"
    for c in counts:
        visible = da.loc[da[c].ne("[c]") & da[c].notna(), c].astype(float)
        assert (visible >= 10).all(), f"{c}: a count under 10 is visible"
    readme = (out / "README.txt").read_text()
    assert "SAMPLE" in readme and "[c]" in readme and "Open Government Licence" in readme


def test_metric_comparisons_give_peer_and_england_and_wales_figures_without_a_hand_join(published):
    """Officers per 100k residents, Thames Valley, 31 March 2022: the mart equals the hand join."""
    row = published.execute(
        "select value_compared, england_wales_value, peer_group_value, peer_group_forces, "
        "peer_group_forces_reporting, comparison_basis from marts.metric_comparisons where metric_id = "
        "'officers_fte' and area_code = 'E23000029' and period_end = date '2022-03-31'"
    ).fetchone()
    hand = published.execute("""
        with pop as (select area_code, value as population from marts.metric_values
                     where metric_id = 'population' and period_end = (
                         select max(period_end) from marts.metric_values where metric_id = 'population'
                         and period_end <= date '2022-03-31')),
             officers as (select area_code, value from marts.metric_values
                          where metric_id = 'officers_fte' and period_end = date '2022-03-31')
        select
            (select o.value / p.population * 1e5 from officers o join pop p using (area_code)
             where area_code = 'E23000029'),
            (select o.value / p.population * 1e5 from officers o join pop p using (area_code)
             where area_code = 'K04000001'),
            (select sum(o.value) / sum(p.population) * 1e5 from reference.peer_groups g
             join officers o on o.area_code = g.peer_area_code join pop p on p.area_code = g.peer_area_code
             where g.area_code = 'E23000029')
    """).fetchone()
    assert row[0] == pytest.approx(hand[0], abs=1e-3) and row[1] == pytest.approx(hand[1], abs=1e-3)
    assert row[2] == pytest.approx(hand[2], abs=1e-3)
    assert row[3] == row[4] == 7 and row[5] == "per 100k residents"
    # a percentage is compared as the group's own rate (sum of numerators over denominators) or not at all
    assert (
        published.execute(
            "select count(*) from marts.metric_comparisons where unit = 'percent' and "
            "peer_group_value is not null and peer_group_numerator is null"
        ).fetchone()[0]
        == 0
    )


def test_lineage_of_one_figure_names_only_its_own_loads(built_var, pipeline_store):
    """calls_101_abandoned_pct for Thames Valley, January 2023: the January call log, nothing of
    Leicestershire, of other months, or of the digital-contact feed that shares its dbt model."""
    out = run_pcp(
        "lineage", "calls_101_abandoned_pct", "--area", "E23000029", "--period", "2023-01-31", var=built_var
    ).stdout
    assert "calls_E23000029_2023-01.csv" in out and "source raw.force_feeds__calls" in out
    for absent in ("digital_contacts", "E23000021", "calls_E23000029_2022-12.csv", "calls_E23000029_2023-02.csv"):
        assert absent not in out, f"{absent!r} in:\n{out}"
    rows = [line for line in out.splitlines() if "calls_E23000029_2023-01.csv" in line and "row(s)" in line]
    assert rows, out
    n = int(rows[0].rsplit(":", 1)[1].split()[0].replace(",", ""))
    from_raw = pipeline_store.execute(
        "select count(*) from staging.stg_force_feeds__calls where area_code = "
        "'E23000029' and period_end = date '2023-01-31'"
    ).fetchone()[0]
    assert n == from_raw


def test_each_declared_metric_source_is_upstream_of_the_metric(built_var, published, monkeypatch):
    from warehouse.publish import lineage

    monkeypatch.setenv("PCP_VAR_DIR", str(built_var))
    for metric_id, table in published.execute(
        "select metric_id, source_table from reference.metric_sources"
    ).fetchall():
        assert f"source raw.{table}:" in "\n".join(lineage.describe(metric_id)), (metric_id, table)


def test_the_published_file_holds_no_raw_history_and_no_person_level_row(published, pipeline_store):
    """Marts, reference and lineage metadata only: raw history, staging and intermediate models (one
    row per call, per Special per month) stay in the pipeline's working file."""
    from warehouse.core import contracts
    from warehouse.publish import publication

    schemas = {
        s
        for (s,) in published.execute(
            "select schema_name from duckdb_tables() union select schema_name from duckdb_views() where not internal"
        ).fetchall()
    }
    assert schemas == set(publication.ANALYST_SCHEMAS), schemas
    assert not published.execute(
        "select count(*) from duckdb_columns() where schema_name = 'meta' "
        "and table_name = 'quarantine' and column_name = 'value'"
    ).fetchone()[0]
    person_level = [c for c in contracts.all_contracts().values() if c.meta.get("pseudonymise")]
    assert {c.table for c in person_level} >= {"force_feeds__calls", "force_feeds__specials_monthly"}
    text_columns = published.execute(
        "select schema_name, table_name, column_name from duckdb_columns() where data_type = 'VARCHAR'"
    ).fetchall()
    sizes = {
        (s, t): published.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]
        for s, t in published.execute("select schema_name, table_name from duckdb_tables()").fetchall()
    }
    for c in person_level:
        raw_rows = pipeline_store.execute(f"select count(*) from raw.{c.table}").fetchone()[0]
        assert raw_rows > 0
        # no table at the grain of a person-level source
        assert max(sizes.values()) < raw_rows, (c.table, max(sizes.items(), key=lambda kv: kv[1]))
        for id_column in c.meta["pseudonymise"]:
            assert not [col for col in text_columns if col[2] == id_column]
            ids = [
                v
                for (v,) in pipeline_store.execute(
                    f'select "{id_column}" from raw.{c.table} using sample 200 rows (reservoir, 18)'
                ).fetchall()
            ]
            for s, t, col in text_columns:  # and no pseudonymised id anywhere, under any column name
                assert not published.execute(
                    f'select count(*) from "{s}"."{t}" where "{col}" in (select unnest(?::varchar[]))', [ids]
                ).fetchone()[0], (s, t, col)
