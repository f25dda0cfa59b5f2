"""A metric id is SAMPLE or real, never both (issue 20): the build refuses a clash naming both sides."""

from __future__ import annotations

import csv

import duckdb
import pytest

from conftest import PROJECT
from warehouse.core import contracts
from warehouse.publish import audit

REFERENCE = PROJECT / "seeds/reference"


def _rows(name: str) -> list[dict]:
    with open(REFERENCE / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_metric_ids_are_unique_and_labels_say_sample_exactly_for_sample_sources():
    metrics = _rows("metrics.csv")
    ids = [m["metric_id"] for m in metrics]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    label = {m["metric_id"]: m["label"] for m in metrics}
    cs = contracts.all_contracts()
    checked = 0
    for row in _rows("metric_sources.csv"):
        is_sample = cs[row["source_table"]].is_sample
        assert ("(SAMPLE)" in label[row["metric_id"]]) == is_sample, (
            f"metrics.csv label of {row['metric_id']!r} is {label[row['metric_id']]!r} but its source "
            f"{row['source_table']} (metric_sources.csv) has is_sample: {is_sample}"
        )
        checked += 1
    assert checked >= 20


def test_the_shared_build_has_no_clash(built_var):
    con = duckdb.connect(str(built_var / "build/working.duckdb"), read_only=True)
    try:
        assert audit.sample_id_clashes(con) == []
        assert (
            con.execute("select count(distinct metric_id) from marts.metric_values where is_sample").fetchone()[0] > 10
        )
    finally:
        con.close()


def test_a_real_figure_under_a_sample_metric_id_stops_the_build_naming_both(copy_of_built):
    con = duckdb.connect(str(copy_of_built / "build/working.duckdb"))
    try:
        # a new real source that happens to reuse a SAMPLE id: a 999 answer-time figure from a real file
        con.execute("""insert into marts.metric_values by name
            select * replace (false as is_sample, 'Home Office 999 answer times (edition of 1 May 2026)' as source,
                              period_end + interval 100 year as period_end)
            from marts.metric_values where metric_id = 'calls_999_received' and is_sample limit 1""")
        [msg] = audit.sample_id_clashes(con)
        assert "'calls_999_received'" in msg and "SAMPLE figures (source: SAMPLE" in msg
        assert "real figures (source: Home Office 999 answer times" in msg and "metrics.csv" in msg
        with pytest.raises(audit.AuditError, match="calls_999_received"):
            audit.run(con, copy_of_built / "warehouse.duckdb", accept_moves=True)
    finally:
        con.close()


def test_a_label_that_disagrees_with_the_figures_is_named(copy_of_built):
    con = duckdb.connect(str(copy_of_built / "build/working.duckdb"))
    try:
        con.execute("update reference.metrics set label = label || ' (SAMPLE)' where metric_id = 'officers_fte'")
        [msg] = audit.sample_id_clashes(con)
        assert "'officers_fte'" in msg and "real (source:" in msg and "(SAMPLE)" in msg
    finally:
        con.close()
