"""The pipeline's DuckDB runs with a memory limit and spills under var/ (writer connections and dbt)."""

from __future__ import annotations


def test_writer_and_dbt_use_the_configured_memory_limit_and_spill_folder(var_dir, monkeypatch):
    from warehouse.core import db
    from warehouse.transform import dbt_runner

    monkeypatch.setenv("PCP_DUCKDB_MEMORY_LIMIT", "200MB")
    spill = var_dir / "tmp" / "duckdb"
    with db.writer() as con:
        limit, temp = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
        # more than the limit: DuckDB must spill to var/tmp/duckdb, not fail or grow
        n = con.execute("select count(distinct hash(range)) from range(10000000)").fetchone()[0]
    assert limit == "190.7 MiB" and temp == str(spill) and n == 10_000_000

    # dbt gets the same limits through profiles.yml (config_options, given once at connect)
    monkeypatch.setenv("PCP_DUCKDB_MEMORY_LIMIT", "300MB")
    dbt_runner.run_dbt(
        [
            "show",
            "--inline",
            "select current_setting('memory_limit') as m, current_setting('temp_directory') as t",
            "--output",
            "json",
        ]
    )
    log = (var_dir / "dbt" / "logs" / "dbt.log").read_text()
    assert "286.1 MiB" in log and str(spill) in log
