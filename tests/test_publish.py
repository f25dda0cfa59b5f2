"""Publish writes the bytes once: the kept version is a hard link to the live file, not a second copy.

Real files in a temporary var/ (no dbt: publish only needs a closed working database with a
publication record). The end-to-end publish path, kill points and disk-full cases are in
test_reliability.py.
"""

from __future__ import annotations

import errno
import os
import stat

import duckdb
import pytest

from conftest import file_digest


def _publish(figure: int) -> str:
    """A working database holding one figure and its publication record, published."""
    from warehouse import db, publish
    from warehouse.config import paths

    with db.writer() as con:
        con.execute("create or replace table main.figure as select ? as value", [figure])
        version = publish.record_publication(con, f"fingerprint {figure}", {})
    publish.publish_file(paths().working, version)
    return version


def _figure(path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("select value from main.figure").fetchone()[0]
    finally:
        con.close()


def test_kept_version_shares_the_live_files_bytes_and_rollback_links_back(var_dir):
    from warehouse import publish

    live = var_dir / "warehouse.duckdb"
    v1 = _publish(1)
    kept1 = var_dir / "published" / f"{v1}.duckdb"
    assert os.path.samefile(live, kept1) and live.stat().st_nlink == 2  # one copy of the bytes, two names
    assert file_digest(live) == file_digest(var_dir / "build" / "working.duckdb")
    assert stat.S_IMODE(live.stat().st_mode) == 0o444  # read-only: nobody changes a kept version by accident
    assert _figure(live) == 1 and publish.published_version() == v1  # DuckDB opens it read-only

    v2 = _publish(2)
    assert _figure(live) == 2 and not os.path.samefile(live, kept1) and _figure(kept1) == 1
    assert os.path.samefile(live, var_dir / "published" / f"{v2}.duckdb")

    assert publish.rollback() == kept1
    assert os.path.samefile(live, kept1) and _figure(live) == 1 and publish.published_version() == v1
    assert not list(var_dir.glob("*.publishing")) and not list((var_dir / "published").glob("*.publishing"))

    # pruning removes names, never the bytes the live file still uses
    publish.prune_versions(keep=1)
    assert [p.stem for p in publish.versions()] == [v2]
    assert _figure(live) == 1 and live.stat().st_nlink == 1


def test_publish_copies_where_the_file_system_cannot_link(var_dir, monkeypatch):
    from warehouse import publish

    def no_links(src, dst, *a, **kw):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))  # as across file systems

    monkeypatch.setattr(os, "link", no_links)
    v1 = _publish(1)
    live, kept1 = var_dir / "warehouse.duckdb", var_dir / "published" / f"{v1}.duckdb"
    assert not os.path.samefile(live, kept1) and file_digest(live) == file_digest(kept1)
    assert stat.S_IMODE(kept1.stat().st_mode) == 0o444
    _publish(2)
    publish.rollback()
    assert _figure(live) == 1 and not os.path.samefile(live, kept1)


def test_a_link_refused_for_another_reason_is_a_clear_error(var_dir, monkeypatch):
    from warehouse import publish

    v1 = _publish(1)
    _publish(2)
    before = file_digest(var_dir / "warehouse.duckdb")

    def denied(src, dst, *a, **kw):
        raise OSError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(os, "link", denied)
    with pytest.raises(publish.PublishError, match="could not link .*Permission denied.*warehouse.duckdb was not changed"):
        publish.rollback()
    assert file_digest(var_dir / "warehouse.duckdb") == before and publish.published_version() != v1
