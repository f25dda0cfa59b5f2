"""The call log's dbt models are incremental (issue 9): after a new month, a restated month and a
late file that does not win land in a built warehouse, a build recounts only the force-months whose
winning load changed, reads only those loads' rows, and gives exactly what a full refresh gives."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd

from conftest import run_pcp
from warehouse import samples
from warehouse.core.config import paths
from warehouse.samples import FEEDS, arrival_date, write_feed
from warehouse.transform import dbt_runner

TV, LEICS = "E23000029", "E23000021"
# NEW_MONTH: the month before the default sample's first (samples.DEFAULT_START, April 2019)
NEW_MONTH, RESTATED, LATE = dt.date(2019, 3, 31), dt.date(2022, 9, 30), dt.date(2022, 6, 30)
CONTACT_METRICS = "metric_id like 'calls\\_%' escape '\\' or metric_id like 'digital\\_%' escape '\\'"


def _land(var: Path, feed: str, f: Path, arrived: dt.date) -> None:
    dest = var / "landing" / FEEDS[feed][1] / arrived.isoformat() / f.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(f, dest)


def _frame(db: Path, sql: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        df = con.execute(sql).df()
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def _calls_monthly(db: Path) -> pd.DataFrame:
    return _frame(db, "select * from intermediate.int_contact__calls_monthly").set_index(["area_code", "period_end"])


def _call_marts(db: Path) -> dict[str, pd.DataFrame]:
    return {
        "int_contact__calls_monthly": _frame(
            db, "select * exclude (dbt_invocation_id) from intermediate.int_contact__calls_monthly"
        ),
        "stg_force_feeds__call_loads": _frame(db, "select * from staging.stg_force_feeds__call_loads"),
        "int_contact__calls_daily": _frame(db, "select * from intermediate.int_contact__calls_daily"),
        "fct_contact_monthly": _frame(db, "select * from marts.fct_contact_monthly"),
        "metric_values": _frame(db, f"select * from marts.metric_values where {CONTACT_METRICS}"),
    }


def test_new_and_restated_months_recount_only_their_force_months_and_match_a_full_refresh(copy_of_built, tmp_path):
    var = copy_of_built
    before = _calls_monthly(var / "build" / "working.duckdb")
    months = len(samples.months(samples.DEFAULT_START, samples.default_end()))
    assert before.dbt_invocation_id.nunique() == 1 and len(before) == 2 * months  # 2 forces, one build
    gen = tmp_path / "gen"
    first = NEW_MONTH.replace(day=1)
    new = list(write_feed("calls", ["Thames Valley", "Leicestershire"], first, first, 11, gen / "new", 0.05))
    for f in new:
        _land(var, "calls", f, arrival_date(first))
    # Leicestershire resends September 2022 with other content (a restatement: later arrival, wins)
    [restated] = write_feed(
        "calls", ["Leicestershire"], dt.date(2022, 9, 1), dt.date(2022, 9, 1), 1234, gen / "restated", 0.05
    )
    _land(var, "calls", restated, dt.date(2023, 5, 8))
    # a Thames Valley June 2022 file dated before the one already loaded (2022-07-07): it loses
    [late] = write_feed("calls", ["Thames Valley"], dt.date(2022, 6, 1), dt.date(2022, 6, 1), 99, gen / "late", 0.05)
    _land(var, "calls", late, dt.date(2022, 7, 1))

    run_pcp("build", "--accept-moves", var=var)  # the restatement moves published figures
    working = var / "build" / "working.duckdb"
    after = _calls_monthly(working)
    with duckdb.connect(str(working), read_only=True) as con:
        loads = dict(
            con.execute(
                "select source_file || '@' || vintage::varchar, load_id from meta.loads "
                "where source_table = 'force_feeds__calls' and status = 'accepted'"
            ).fetchall()
        )
    new_loads = {loads[f"{f.name}@{arrival_date(first)}"] for f in new} | {loads[f"{restated.name}@2023-05-08"]}
    assert f"{late.name}@2022-07-01" in loads  # accepted into raw, but not the latest arrival

    # only the two new force-months and the restated one were recounted, from their new loads
    recounted = after[after.dbt_invocation_id != before.dbt_invocation_id.iloc[0]]
    assert {(a, p.date()) for a, p in recounted.index} == {(TV, NEW_MONTH), (LEICS, NEW_MONTH), (LEICS, RESTATED)}
    assert set(recounted.load_id) == new_loads
    kept = after.drop(recounted.index)
    pd.testing.assert_frame_equal(kept, before.drop(index=[(LEICS, pd.Timestamp(RESTATED))]))
    assert after.loc[(TV, pd.Timestamp(LATE)), "load_id"] == before.loc[(TV, pd.Timestamp(LATE)), "load_id"]
    assert (
        after.loc[(LEICS, pd.Timestamp(RESTATED)), "calls_101_received"]
        != before.loc[(LEICS, pd.Timestamp(RESTATED)), "calls_101_received"]
    )
    # and raw was read for those loads only: the compiled model filters on exactly their ids
    compiled = next(paths().dbt_target.rglob("compiled/**/int_contact__calls_monthly.sql")).read_text()
    ids = re.search(r"c\.load_id in \(([0-9, ]+)\)", compiled)
    assert ids and {int(i) for i in ids.group(1).split(",")} == new_loads, compiled[-600:]

    # a full refresh over the same loads gives the same call figures, marts and metric rows
    incremental = _call_marts(working)
    full = tmp_path / "full.duckdb"
    shutil.copyfile(working, full)
    dbt_runner.run_dbt(["build", "--full-refresh"], database=full)
    assert _calls_monthly(full).dbt_invocation_id.nunique() == 1  # every force-month counted afresh
    refreshed = _call_marts(full)
    for name, df in refreshed.items():
        assert len(df) > 0
        pd.testing.assert_frame_equal(incremental[name], df, check_exact=False, rtol=1e-12, obj=name)
    assert len(refreshed["int_contact__calls_monthly"]) == 2 * months + 2  # plus the new month, both forces


def test_the_daily_counts_are_the_call_log_counted_by_force_day_and_load(pipeline_store):
    """int_contact__calls_daily (what the completeness check and per-figure lineage read instead of
    the whole call log) holds exactly the staging view's calls per force, day and load."""
    daily = pipeline_store.execute(
        "select area_code, period_end, day, load_id, calls from intermediate.int_contact__calls_daily order by all"
    ).fetchall()
    direct = pipeline_store.execute(
        "select area_code, period_end, received_at::date, load_id, count(*) from staging.stg_force_feeds__calls "
        "group by all order by all"
    ).fetchall()
    assert len(direct) > 1000 and daily == direct
