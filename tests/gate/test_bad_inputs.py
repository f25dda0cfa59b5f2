"""The bad-input corpus (tests/bad_inputs/corpus.py) through the real loader and quality gate.

One working database with the bundled workforce file loaded and published is prepared once; each
case copies it, lands its bad file and runs ``pipeline.ingest`` in-process (the same call `pcp build`
makes first). Every case then checks the outcome (the error names file, row, column, found and
expected; or the rows quarantined), that every accepted load reconciles, and that the published
warehouse is byte-for-byte unchanged. test_reliability.py covers the end-to-end publish path.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import file_digest

sys.path.insert(0, str(Path(__file__).parents[1] / "bad_inputs"))
import corpus  # noqa: E402

LOOSE = "quarantine:\n  default_max_bad_share: 0.02\n"


@pytest.fixture(scope="session")
def prepared(tmp_path_factory) -> Path:
    """var/ with the bundled workforce file loaded, gated and published (no dbt: not needed here)."""
    from warehouse.core.config import paths
    from warehouse.orchestrate import pipeline
    from warehouse.publish import publication

    var = tmp_path_factory.mktemp("prepared") / "var"
    old = os.environ.get("PCP_VAR_DIR")
    os.environ["PCP_VAR_DIR"] = str(var)
    try:
        pipeline.ingest(tables=[corpus.TABLE])
        publication.publish_file(paths().working, "00000000T000000000000Z")
    finally:
        if old is None:
            os.environ.pop("PCP_VAR_DIR")
        else:
            os.environ["PCP_VAR_DIR"] = old
    return var


def _cases():
    for c in corpus.CASES:
        yield pytest.param(c, "shipped", id=f"{c.name}")
        if c.loose is not None:
            yield pytest.param(c, "loose", id=f"{c.name}-quarantine_limit_2pct")


@pytest.mark.parametrize("case,limits", list(_cases()))
def test_bad_input(case, limits, prepared, tmp_path, monkeypatch):
    from warehouse.core.errors import BadDataError
    from warehouse.ingest import landing
    from warehouse.orchestrate import pipeline
    from warehouse.publish import audit

    var = tmp_path / "var"
    (var / "build").mkdir(parents=True)
    shutil.copyfile(prepared / "build/working.duckdb", var / "build/working.duckdb")
    shutil.copyfile(prepared / "warehouse.duckdb", var / "warehouse.duckdb")
    monkeypatch.setenv("PCP_VAR_DIR", str(var))
    if limits == "loose":
        (tmp_path / "limits.yml").write_text(LOOSE)
        monkeypatch.setenv("PCP_RELIABILITY_FILE", str(tmp_path / "limits.yml"))
    expected = case.loose if limits == "loose" else case.default
    before = file_digest(var / "warehouse.duckdb")

    bad = corpus.write(case, tmp_path)
    landing.land_file(bad, corpus.TABLE)
    error = None
    try:
        pipeline.ingest(tables=[corpus.TABLE])
    except BadDataError as e:
        error = str(e)

    con = duckdb.connect(str(var / "build/working.duckdb"), read_only=True)
    try:
        loads = con.execute(
            "select load_id, status, rows_read, rows_quarantined, message from meta.loads "
            "where source_file = ? order by load_id",
            [bad.name],
        ).fetchall()
        quarantined = con.execute(
            "select row_number, column_name, value, reason from meta.quarantine q "
            "join meta.loads l using (load_id) where l.source_file = ? and l.status = 'accepted'",
            [bad.name],
        ).fetchall()
        _, unreconciled = audit.reconcile_loads(con)
    finally:
        con.close()

    if expected.kind == "rejected":
        assert error is not None, f"{case.name}: expected a rejection, got loads {loads}"
        assert bad.name in error, error
        assert "Original Line" not in error and "Possible fixes" not in error, error  # DuckDB's copy of the row
        for text in expected.says:
            assert text in error, f"{case.name}: {text!r} not in:\n{error}"
        assert [s for _, s, *_ in loads] == ["rejected"]
    else:
        assert error is None, error
        if expected.kind == "unchanged":
            assert loads == [], "the same bytes under another name must not load again"
        else:
            assert [s for _, s, *_ in loads] == ["accepted"]
            _, _, rows_read, n_q, message = loads[0]
            assert n_q == expected.rows == len({r for r, *_ in quarantined})
            if expected.kind == "quarantined":
                reasons = " ".join(f"{c} {v} {why}" for _, c, v, why in quarantined)
                for text in expected.says:
                    assert text in reasons, f"{case.name}: {text!r} not in {quarantined}"
                assert f"{n_q:,} of {rows_read:,} rows quarantined" in message
    assert unreconciled == []
    assert file_digest(var / "warehouse.duckdb") == before, "the published warehouse changed"


def test_corpus_has_at_least_25_kinds():
    assert len(corpus.CASES) >= 25
    assert len({c.name for c in corpus.CASES}) == len(corpus.CASES)


def test_sql_text_is_stored_verbatim(prepared, tmp_path, monkeypatch):
    """SQL-looking text is data: it lands as written and every table is still there."""
    from warehouse.ingest import landing
    from warehouse.orchestrate import pipeline

    var = tmp_path / "var"
    shutil.copytree(prepared, var)
    monkeypatch.setenv("PCP_VAR_DIR", str(var))
    case = next(c for c in corpus.CASES if c.name == "sql_text")
    landing.land_file(corpus.write(case, tmp_path), corpus.TABLE)
    pipeline.ingest(tables=[corpus.TABLE])
    con = duckdb.connect(str(var / "build/working.duckdb"), read_only=True)
    names = con.execute(
        "select force_name from raw.home_office__workforce_open_data r join meta.loads l "
        "on l.load_id = r._load_id where l.source_file = 'sql_text.csv' and _row_number = 30"
    ).fetchall()
    tables = con.execute("select count(*) from raw.home_office__workforce_open_data").fetchall()[0][0]
    con.close()
    assert names == [("Avon'); DROP TABLE raw.home_office__workforce_open_data; --",)]
    assert tables == 25198 + 3440
