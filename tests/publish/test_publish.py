"""Publish keeps each version as an independent copy with a checksum, ordered by sequence.

Real files in a temporary var/ (no dbt: publish only needs a closed working database with a
publication record). The end-to-end publish path, kill points and disk-full cases are in
test_reliability.py; sticky rollbacks through real builds in test_reliability.py too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

import duckdb
import pytest

from conftest import file_digest


def _publish(figure: int, loads: list[tuple[int, str]] = (), raw_rows: int = 3) -> str:
    """A working database holding one figure (a mart), ``raw_rows`` person-level raw rows, ``loads``
    (id, sha256) accepted, and its record, published."""
    from warehouse.core import db
    from warehouse.core.config import paths
    from warehouse.publish import publication, versions

    with db.writer() as con:
        con.execute("create schema if not exists marts")
        con.execute("create or replace table marts.figure as select ? as value", [figure])
        con.execute("comment on table marts.figure is 'one figure'")
        con.execute(
            "create or replace table raw.calls as select 'call-' || i as call_id from range(?) t(i)", [raw_rows]
        )
        for load_id, sha in loads:
            con.execute(
                "insert or ignore into meta.loads (load_id, source_table, source_file, sha256, is_sample, "
                "status, loaded_at) values (?, 't', ?, ?, false, 'accepted', now()::timestamp)",
                [load_id, f"file{load_id}.csv", sha],
            )
        version = versions.record_publication(con, f"fingerprint {figure}", {})
    publication.publish_file(paths().working, version)
    return version


def _figure(path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select value from marts.figure").fetchone()[0]
    finally:
        con.close()


def test_the_published_file_holds_the_marts_and_meta_but_not_raw_history(var_dir):
    """Raw history stays in the working file: the published file does not grow with it."""
    from warehouse.core.config import paths

    _publish(1, [(1, "a" * 64)], raw_rows=2_000_000)
    live = var_dir / "warehouse.duckdb"
    con = duckdb.connect(str(live), read_only=True)
    try:
        schemas = {s for (s,) in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
        assert schemas == {"marts", "meta"}
        assert con.execute("select value from marts.figure").fetchall() == [(1,)]
        assert con.execute("select comment from duckdb_tables() where table_name = 'figure'").fetchall() == [
            ("one figure",)
        ]
        assert con.execute("select sha256 from meta.loads").fetchall() == [("a" * 64,)]
    finally:
        con.close()
    working = paths().working.stat().st_size
    assert live.stat().st_size * 4 < working, (live.stat().st_size, working)


def test_kept_versions_are_independent_copies_in_sequence_order(var_dir):
    from warehouse.publish import versions

    live = var_dir / "warehouse.duckdb"
    v1 = _publish(1)
    kept1 = var_dir / "published" / f"{v1}.duckdb"
    assert v1.startswith("000001-") and versions.published_version() == v1
    assert not os.path.samefile(live, kept1) and live.stat().st_nlink == 1  # no shared bytes
    assert file_digest(live) == file_digest(kept1)
    assert stat.S_IMODE(live.stat().st_mode) == stat.S_IMODE(kept1.stat().st_mode) == 0o444

    v2 = _publish(2)
    assert v2.startswith("000002-") and _figure(live) == 2 and _figure(kept1) == 1
    assert [p.stem for p in versions.kept_versions()] == [v1, v2]

    versions.prune_versions(keep=1)
    assert [p.stem for p in versions.kept_versions()] == [v2]
    assert not (var_dir / "published" / f"{v1}.json").exists()


def test_a_write_to_the_served_file_never_reaches_the_kept_copy_and_is_undone(var_dir):
    """A root analyst opens the 0444 file read-write and changes a figure: the kept version is untouched
    and the next use of the served file puts the published figure back."""
    from warehouse.publish import versions

    v1 = _publish(7)
    live, kept = var_dir / "warehouse.duckdb", var_dir / "published" / f"{v1}.duckdb"
    before = file_digest(kept)
    os.chmod(live, 0o644)
    con = duckdb.connect(str(live))
    con.execute("update marts.figure set value = 999")
    con.close()
    assert _figure(kept) == 7 and file_digest(kept) == before
    assert versions.published_version() == v1  # checks the served file first
    assert _figure(live) == 7 and stat.S_IMODE(live.stat().st_mode) == 0o444


@pytest.mark.parametrize("damage", ["garbage", "truncated", "missing"])
def test_a_damaged_served_file_is_replaced_from_the_kept_copy(var_dir, damage, capsys):
    from warehouse.publish import versions

    _publish(1)
    v2 = _publish(2)
    live = var_dir / "warehouse.duckdb"
    os.chmod(live, 0o644)
    if damage == "garbage":
        live.write_bytes(b"\0not a database\0" * 1000)
    elif damage == "truncated":
        os.truncate(live, 4096)
    else:
        live.unlink()
    assert versions.published_version() == v2 and _figure(live) == 2
    assert "changed or damaged" in capsys.readouterr().err


def test_damaged_served_and_damaged_own_copy_fall_back_to_newest_intact_version(var_dir):
    from warehouse.publish import versions

    v1 = _publish(1)
    v2 = _publish(2)
    for f in (var_dir / "warehouse.duckdb", var_dir / "published" / f"{v2}.duckdb"):
        os.chmod(f, 0o644)
        f.write_bytes(b"broken")
    assert versions.published_version() == v1 and _figure(var_dir / "warehouse.duckdb") == 1


def test_rollback_follows_the_sequence_even_with_the_clock_set_back(var_dir, monkeypatch):
    from warehouse.publish import versions, withdrawals

    v1 = _publish(1)

    real = dt.datetime

    class Yesterday(real):
        @classmethod
        def now(cls, tz=None):
            return real.now(tz) - dt.timedelta(hours=24)

    monkeypatch.setattr(versions.dt, "datetime", Yesterday)
    v2 = _publish(2)
    assert v2.split("-")[1] < v1.split("-")[1] and versions.sequence_of(v2) == 2  # clock: earlier; sequence: later
    assert versions.published_version() == v2
    target, _ = withdrawals.rollback()
    assert target.stem == v1 and versions.published_version() == v1 and _figure(var_dir / "warehouse.duckdb") == 1
    with pytest.raises(versions.PublishError, match="nothing to roll back to"):
        withdrawals.rollback()


def test_rollback_withdraws_the_later_loads_until_reinstated(var_dir):
    from warehouse.core import db
    from warehouse.publish import withdrawals

    _publish(1, [(1, "a" * 64)])
    _publish(2, [(1, "a" * 64), (2, "b" * 64)])
    target, withdrawn = withdrawals.rollback()
    assert [(w.load_id, w.sha256) for w in withdrawn] == [(2, "b" * 64)]
    assert "rolled back from version 000002-" in withdrawn[0].reason
    assert stat.S_IMODE((var_dir / "build" / "withdrawn-loads.json").stat().st_mode) == 0o600
    with db.writer() as con:
        assert withdrawals.apply(con) == 1
        assert con.execute("select load_id, status from meta.loads order by 1").fetchall() == [
            (1, "accepted"),
            (2, "withdrawn"),
        ]
    withdrawals.reinstate([2])
    assert withdrawals.listed() == []
    with db.writer() as con:
        assert withdrawals.apply(con) == 1
        assert con.execute("select status from meta.loads where load_id = 2").fetchone()[0] == "accepted"
    with pytest.raises(Exception, match="are not withdrawn"):
        withdrawals.reinstate([2])


def test_a_build_that_started_before_a_rollback_does_not_publish(var_dir):
    """The working file still holds a load a rollback withdrew while the build ran: publish refuses."""
    from warehouse.core import db
    from warehouse.core.config import paths
    from warehouse.publish import publication, versions, withdrawals

    _publish(1, [(1, "a" * 64)])
    _publish(2, [(1, "a" * 64), (2, "b" * 64)])
    withdrawals.rollback()  # as if it ran while the next build was between dbt and publish
    with db.writer() as con:
        version = versions.record_publication(con, "fingerprint 3", {})
    served = file_digest(var_dir / "warehouse.duckdb")
    with pytest.raises(versions.PublishError, match="rollback or withdrawal ran while this build was running.*load 2"):
        publication.publish_file(paths().working, version)
    assert file_digest(var_dir / "warehouse.duckdb") == served


def test_code_fingerprint_covers_what_shapes_the_marts_and_not_reports_or_cli_help(tmp_path, monkeypatch):
    """A report's CSS or the CLI's help text changes no figure, so it must not force a --full-refresh
    rebuild and a new version; a dbt model, a reader or the gate does. Edits go to a copy of the project."""
    import shutil

    from conftest import PROJECT
    from warehouse.publish import fingerprint

    ignore = shutil.ignore_patterns("target", "logs", "dbt_packages", "__pycache__", "*.duckdb")
    for folder in ("dbt_project", "seeds/reference", "expectations", "warehouse"):
        shutil.copytree(PROJECT / folder, tmp_path / folder, ignore=ignore)
    monkeypatch.setenv("PCP_PROJECT_DIR", str(tmp_path))
    before = fingerprint.code_fingerprint()

    def edit(rel: str, old: str | None = None, new: str = "") -> str:
        f = tmp_path / rel
        text = f.read_text()
        assert old is None or old in text, f"{rel} no longer holds {old!r}: pick another edit"
        f.write_text(text.replace(old, new, 1) if old else text + new)
        return fingerprint.code_fingerprint()

    assert edit("warehouse/report/html.py", "<style>", "<style>/* a CSS tweak */") == before
    assert edit("warehouse/cli.py", "help=", "help='Reworded help. ' ") == before
    assert edit("warehouse/report/xlsx.py", None, "\n# a comment\n") == before

    model = next((tmp_path / "dbt_project/models").rglob("metric_values.sql"))
    changed = edit(str(model.relative_to(tmp_path)), None, "\n-- a model edit\n")
    assert changed != before
    assert edit("warehouse/ingest/readers/csv_file.py", None, "\n# a reader edit\n") != changed


def _schemas(path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {s for (s,) in con.execute("select distinct schema_name from duckdb_tables()").fetchall()}
    finally:
        con.close()


@pytest.mark.parametrize("then", ["rollback", "publish"])
def test_a_version_kept_before_the_split_loses_its_person_level_rows(var_dir, then):
    """A version kept by an older release was a byte copy of the whole working file (raw history).
    Rolling back to it serves its analysts' tables only, and the next publish rewrites every such
    kept copy the same way, with its new checksum, so a later rollback to it still finds it intact."""
    from warehouse.core.config import paths
    from warehouse.publish import versions, withdrawals

    v1 = _publish(1, raw_rows=5)
    old = paths().versions / f"{v1}.duckdb"
    versions.fsync_copy(paths().working, old)  # what an older release kept: the working file itself
    versions.write_json(old.with_suffix(".json"), {"version": v1, "sha256": versions._sha256(old)})
    assert "raw" in _schemas(old)
    _publish(2)
    if then == "rollback":
        target, _ = withdrawals.rollback()
        assert target.stem == v1 and _figure(var_dir / "warehouse.duckdb") == 1
        assert _schemas(var_dir / "warehouse.duckdb") == {"marts", "meta"}
    assert _schemas(old) == {"marts", "meta"} and versions.intact(old, v1)
    assert json.loads(old.with_suffix(".json").read_text())["analysts_only"] is True
