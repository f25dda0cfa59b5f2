"""A build rebuilds only the models downstream of the sources that changed (warehouse/transform/rebuild.py),
and that gives exactly what a full build gives."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import duckdb
import pandas as pd

from conftest import run_pcp
from warehouse.core import db
from warehouse.publish import versions
from warehouse.samples import FEEDS, write_feed
from warehouse.transform import rebuild


def _latest_dbt(var) -> dict:
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as con:
        return json.loads(versions.latest_publication(con, "dbt")[0])


def _marts(var) -> dict[str, pd.DataFrame]:
    """Every mart's rows in a fixed order (the status history appends a row per build, so not it)."""
    out = {}
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' "
                "and table_name <> 'milestone_status_history' order by 1"
            ).fetchall()
        ]
        for t in tables:
            df = con.execute(f"select * from marts.{t}").df()
            out[t] = df.sort_values(list(df.columns)).reset_index(drop=True)
    return out


def _land_calls(var, month: dt.date, arrived: str) -> None:
    [f] = write_feed("calls", ["Leicestershire"], month, month, 7, var.parent / "gen" / arrived, 0.05)
    dest = var / "landing" / FEEDS["calls"][1] / arrived / f.name
    dest.parent.mkdir(parents=True)
    shutil.copyfile(f, dest)


def test_new_call_files_rebuild_only_what_they_feed_and_match_a_full_build(copy_of_built, frozen_project):
    var = copy_of_built
    assert _latest_dbt(var)["selection"] == "all"  # the shared build started from nothing
    _land_calls(var, dt.date(2023, 4, 1), "2023-05-08")
    run_pcp("build", "--accept-moves", var=var)  # narrow already, unless the code changed since the shared build
    _land_calls(var, dt.date(2023, 5, 1), "2023-06-08")
    run_pcp("build", "--accept-moves", var=var)
    narrow = _latest_dbt(var)
    assert narrow["selection"] == ["source:force_feeds.calls+"]
    nodes = {r["node"] for r in narrow["results"]}
    assert "model.pcp_warehouse.fct_contact_monthly" in nodes and "model.pcp_warehouse.metric_values" in nodes
    assert "model.pcp_warehouse.fct_workforce" not in nodes  # no workforce file changed
    selected = _marts(var)
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(
            "select count(*) from marts.fct_contact_monthly where area_code = 'E23000021' "
            "and period_end = date '2023-05-31'"
        ).fetchall() == [(1,)]

    run_pcp("build", "--force", var=var)  # everything, from the same loads
    full = _latest_dbt(var)
    assert full["selection"] == "all" and len(full["results"]) > len(narrow["results"])
    everything = _marts(var)
    assert selected.keys() == everything.keys()
    for table, df in everything.items():
        pd.testing.assert_frame_equal(selected[table], df, check_exact=False, rtol=1e-12, obj=f"marts.{table}")


def test_a_build_that_did_not_finish_or_changed_code_rebuilds_everything(copy_of_built):
    with db.writer() as con:
        con.execute(
            "update meta.loads set status = 'rejected' where load_id = (select max(load_id) from meta.loads "
            "where source_table = 'force_feeds__calls' and status = 'accepted')"
        )
        assert rebuild.selection(con) == ["source:force_feeds.calls+"]  # one table's loads differ
        rebuild.started(con)  # dbt starts, then dies: its models are half built
        assert rebuild.selection(con) is None
        rebuild.finished(con)
        assert rebuild.selection(con) == ["source:force_feeds.calls+"]
        con.execute("update meta.dbt_state set code_fingerprint = 'built by other code'")
        assert rebuild.selection(con) is None
