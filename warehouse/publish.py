"""Publish: the working database becomes the analysts' database by atomic replacement.

The working file is copied once (in the kernel, fsynced) to a temporary name beside
``var/warehouse.duckdb`` and renamed over it; ``var/published/<version>.duckdb``, kept for rollback,
is a hard link to the same bytes, not a second copy (a copy only where the file system cannot link).
A reader holding the old file keeps reading the old version (its inode lives on); nobody ever sees a
half-written file. Pruning a version removes a name, never the bytes the live file still uses.

Published files are read-only (0444): analysts open them read-only anyway, and one that opened the
live file read-write would otherwise also change the kept version it shares bytes with.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from warehouse import __version__
from warehouse.config import paths
from warehouse.errors import PipelineError
from warehouse.reliability import fault_point

KEEP_VERSIONS = int(os.environ.get("PCP_KEEP_VERSIONS", "5"))
READ_ONLY = 0o444
# os.link errors meaning "this file system cannot link here" (another device, FAT, some FUSE and
# network mounts): copy instead. Anything else (no permission, read-only disk) is a PublishError.
CANNOT_LINK = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}

PUBLICATIONS_DDL = """
create table if not exists meta.publications (
    version      varchar primary key,
    published_at timestamp not null,
    fingerprint  varchar not null,
    code_version varchar,
    loads        varchar,   -- JSON: accepted load ids, files and sha256 the version was built from
    dbt          varchar    -- JSON: dbt build summary
);
alter table meta.publications add column if not exists validations varchar;  -- JSON: gate result per load
alter table meta.publications add column if not exists audit varchar;        -- JSON: reconciliations, moves
alter table meta.publications add column if not exists lineage varchar;      -- JSON: dbt node -> parents
"""


class PublishError(PipelineError):
    """The new version could not be written (disk full, unwritable var/); the old one stays published."""


def code_version() -> str:
    try:
        out = subprocess.run(["git", "-C", str(paths().project), "describe", "--always", "--dirty"],
                             capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return f"{__version__}+{out.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        pass
    return __version__


def _code_files() -> list[Path]:
    p = paths()
    files = []
    for root, pattern in ((p.dbt_project, "**/*.sql"), (p.dbt_project, "**/*.yml"), (p.reference, "**/*.csv"),
                          (p.project / "warehouse", "**/*.py")):
        files += [f for f in root.glob(pattern) if "target" not in f.parts and "logs" not in f.parts]
    return sorted(files)


def code_fingerprint() -> str:
    """The code and reference data that shape marts (dbt project, seeds, pipeline package)."""
    h = hashlib.sha256()
    root = paths().project
    for f in _code_files():
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """What a build depends on: accepted loads plus the code fingerprint."""
    h = hashlib.sha256()
    for row in con.execute("select load_id, sha256 from meta.loads where status = 'accepted' order by load_id").fetchall():
        h.update(f"{row[0]}:{row[1]}\n".encode())
    h.update(code_fingerprint().encode())
    return h.hexdigest()


def published_fingerprint() -> str | None:
    path = paths().published
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute(
            "select fingerprint from meta.publications order by published_at desc limit 1").fetchall()
        return rows[0][0] if rows else None
    except duckdb.CatalogException:
        return None
    finally:
        con.close()


def _fsync_copy(src: Path, dst: Path) -> None:
    """Copy to ``dst.publishing``, flush it to disk, then rename: ``dst`` is the old file or the new one, never half."""
    tmp = _staging_name(dst)
    try:
        if not tmp.is_symlink():
            tmp.unlink(missing_ok=True)  # a crash's leftover (perhaps read-only already)
        shutil.copyfile(src, tmp)  # sendfile: the kernel copies, no Python buffers
        fault_point(f"publish:copying:{dst.name}")
        _fsync(tmp)
        os.chmod(tmp, READ_ONLY)
    except OSError as e:
        if not tmp.is_symlink():
            tmp.unlink(missing_ok=True)
        raise PublishError(f"could not write {tmp}: {e.strerror or e} (expected a writable folder with room for "
                           f"{src.stat().st_size:,} bytes); {dst.name} was not changed") from None
    os.replace(tmp, dst)
    _fsync(dst.parent)


def _staging_name(dst: Path) -> Path:
    """Not ``<file>.tmp``: that is where DuckDB spills for a read-only connection to ``<file>`` (an
    analyst's big query on warehouse.duckdb), so a publish must never write or remove that name."""
    return dst.with_name(dst.name + ".publishing")


def _link(src: Path, dst: Path) -> None:
    """Make ``dst`` another name for ``src``'s bytes, atomically (link to ``dst.publishing``, rename over ``dst``);
    a copy where the file system cannot link."""
    tmp = _staging_name(dst)
    try:
        tmp.unlink(missing_ok=True)  # left by a crash
        os.link(src, tmp)
    except OSError as e:
        if e.errno in CANNOT_LINK:
            _fsync_copy(src, dst)
            return
        raise PublishError(f"could not link {src} as {tmp}: {e.strerror or e}; {dst.name} was not changed") from None
    os.replace(tmp, dst)
    _fsync(dst.parent)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def record_publication(con: duckdb.DuckDBPyConnection, fp: str, dbt_summary: dict | None,
                       audit: dict | None = None) -> str:
    """Write the new version's record (what it was built from) into the working file before it is copied."""
    con.execute(PUBLICATIONS_DDL)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    version = now.strftime("%Y%m%dT%H%M%S%fZ")
    loads = con.execute(
        "select load_id, source_table, source_file, sha256, vintage::varchar, rows_read, "
        "coalesce(rows_quarantined, 0) from meta.loads where status = 'accepted' order by load_id").fetchall()
    validations = con.execute(
        "select load_id, suite, success, validated_at::varchar from meta.validations "
        "where load_id in (select load_id from meta.loads where status = 'accepted') order by load_id"
    ).fetchall() if has_table(con, "meta", "validations") else []
    con.execute("insert into meta.publications (version, published_at, fingerprint, code_version, loads, dbt, "
                "validations, audit, lineage) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [version, now, fp, code_version(), json.dumps([list(r) for r in loads]),
                 json.dumps(dbt_summary or {}), json.dumps([list(r) for r in validations]),
                 json.dumps(audit or {}, default=str), json.dumps(dbt_graph())])
    return version


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                            [schema, table]).fetchall()[0][0])


def dbt_graph() -> dict[str, list[str]]:
    """Each dbt model's parents (models, seeds, sources) from the manifest of the build just run."""
    manifest = paths().dbt_target / "manifest.json"
    if not manifest.exists():
        return {}
    parents = json.loads(manifest.read_text()).get("parent_map", {})
    return {k: sorted(v) for k, v in parents.items() if k.startswith(("model.", "seed.", "source."))}


def forget_unpublished(con: duckdb.DuckDBPyConnection) -> None:
    """Drop records of versions a crash stopped before they were kept or published."""
    if not has_table(con, "meta", "publications"):
        return
    current = published_version() or ""
    kept = [v.stem for v in versions()] or [""]
    con.execute("delete from meta.publications where version > ? and version not in (select unnest(?::varchar[]))",
                [current, kept])


def publish_file(working: Path, version: str) -> Path:
    """Swap the (closed, audited) working file in atomically, then keep it for rollback (a hard link).

    In this order a crash leaves either the old version published and nothing kept, or the new one
    published; a version in the store was always published once, so rollback can trust the store.
    """
    p = paths()
    try:
        p.versions.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PublishError(f"cannot create the version store {p.versions}: {e.strerror or e}; nothing published") from None
    _fsync_copy(working, p.published)
    fault_point("publish:swapped")
    _link(p.published, p.versions / f"{version}.duckdb")
    prune_versions()
    return p.published


def versions() -> list[Path]:
    return sorted(paths().versions.glob("*.duckdb"))


def prune_versions(keep: int = KEEP_VERSIONS) -> None:
    """Drop all but the newest ``keep`` versions (the live file's bytes stay: it is its own link)."""
    for old in versions()[:-keep]:
        old.unlink(missing_ok=True)


def rollback() -> Path:
    """Put the previous published version back in place (the current one stays in the store)."""
    current = published_version() or ""
    earlier = [v for v in versions() if v.stem < current]  # version names sort by time
    if not earlier:
        raise PublishError(f"no published version older than {current or 'none'} is kept; nothing to roll back to")
    target = earlier[-1]
    _link(target, paths().published)
    return target


def published_high_water_mark() -> int | None:
    """The highest accepted load_id in the published version: everything up to it has been processed."""
    path = paths().published
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select loads from meta.publications order by published_at desc limit 1").fetchall()
    except duckdb.CatalogException:
        return None
    finally:
        con.close()
    ids = [entry[0] for entry in json.loads(rows[0][0] or "[]")] if rows else []
    return max(ids, default=None)


def published_version() -> str | None:
    path = paths().published
    if not path.exists():
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("select version from meta.publications order by published_at desc limit 1").fetchall()
        return rows[0][0] if rows else None
    finally:
        con.close()
