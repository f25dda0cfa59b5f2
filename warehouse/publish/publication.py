"""Publish: the analysts' database is written from the working database and swapped in atomically.

The working file (``var/build/working.duckdb``) is the pipeline's own storage: raw history (one row
per call, per Special per month: person-level), staging and intermediate models, marts and meta. The
analysts' file holds only what an analyst needs: the ``marts`` and ``reference`` tables and the
lineage metadata in ``meta`` (``ANALYST_SCHEMAS``; never ``raw``, ``staging``, ``intermediate``, nor
the refused cells' own text in ``meta.quarantine.value``). So a publish writes the marts, not the raw
history: its cost follows the marts (docs/architecture.md, "Split storage").

The closed, audited working file's analyst tables are written to a new file
(``var/build/analysts.duckdb``), copied (in the kernel, fsynced) to ``<served>.publishing`` and
renamed over ``var/warehouse.duckdb``; that file is then copied into the version store as
``var/published/<version>.duckdb``. The served file and the kept versions share no bytes (no hard
links), so nothing an analyst does to the served file (a root user can open a 0444 file read-write)
can change a kept version; each kept version has a checksum beside it (``<version>.json``), and a
served file that no longer matches its version's checksum, or that DuckDB cannot open, is replaced
from a kept copy (``served()``). A reader holding the old file keeps reading the old version (its
inode lives on); nobody ever sees a half-written file.

Versions are ordered by a sequence number (``<seq>-<UTC time>``), never by the wall clock, so a clock
set back cannot make a rollback pick the wrong version. Rollbacks and withdrawals are in
``warehouse/publish/withdrawals.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import duckdb

from warehouse import __version__
from warehouse.core import db, locks, meta_tables
from warehouse.core.config import duckdb_storage_version, paths
from warehouse.core.errors import PipelineError
from warehouse.core.faults import fault_point

KEEP_VERSIONS = int(os.environ.get("PCP_KEEP_VERSIONS", "5"))
READ_ONLY = 0o444

# The one definition of "the latest publication" in a file: by sequence, never by the clock.
LATEST = "from meta.publications order by seq desc nulls last, published_at desc limit 1"


class PublishError(PipelineError):
    """The new version could not be written (disk full, unwritable var/); the old one stays published."""


def code_version() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(paths().project), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        if out.returncode == 0 and out.stdout.strip():
            return f"{__version__}+{out.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        pass
    return __version__


# What shapes mart contents, relative to the project: the dbt project (models, macros, sources = the
# contracts), the reference seeds, the gate's suites, and the Python that decides what reaches raw
# and how dbt runs. Reports, the CLI, publish and orchestration are left out on purpose: a CSS or
# help-text change must not force a --full-refresh rebuild and a new version with identical figures.
SHAPES_MARTS = (
    ("dbt_project", "**/*.sql"),
    ("dbt_project", "**/*.yml"),
    ("seeds/reference", "**/*.csv"),
    ("seeds/reference", "**/*.yml"),
    ("expectations/gx/expectations", "*.json"),
    ("warehouse/core", "contracts.py"),
    ("warehouse/core", "reference.py"),
    ("warehouse/ingest", "**/*.py"),
    ("warehouse/gate", "**/*.py"),
    ("warehouse/transform", "**/*.py"),
)


def _code_files() -> list[Path]:
    root = paths().project
    files = []
    for folder, pattern in SHAPES_MARTS:
        files += [
            f
            for f in (root / folder).glob(pattern)
            if not {"target", "logs", "dbt_packages", "__pycache__"} & set(f.relative_to(root).parts)
        ]
    return sorted(set(files))


def code_fingerprint() -> str:
    """sha256 over the path and bytes of every file in ``SHAPES_MARTS`` (hex): what shapes the marts."""
    h = hashlib.sha256()
    root = paths().project
    for f in _code_files():
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def fingerprint(con: duckdb.DuckDBPyConnection) -> str:
    """What a build depends on: accepted loads plus the code fingerprint."""
    h = hashlib.sha256()
    for row in con.execute(
        "select load_id, sha256 from meta.loads where status = 'accepted' order by load_id"
    ).fetchall():
        h.update(f"{row[0]}:{row[1]}\n".encode())
    h.update(code_fingerprint().encode())
    return h.hexdigest()


def latest_publication(con: duckdb.DuckDBPyConnection, columns: str) -> tuple | None:
    """``columns`` of the newest publication recorded in the open file, or None if it has none."""
    if not has_table(con, "meta", "publications"):
        return None
    rows = con.execute(f"select {columns} {LATEST}").fetchall()
    return rows[0] if rows else None


def _read_served(columns: str) -> tuple | None:
    path = served()
    if path is None:
        return None
    con = duckdb.connect(str(path), read_only=True)
    try:
        return latest_publication(con, columns)
    finally:
        con.close()


def published_fingerprint() -> str | None:
    row = _read_served("fingerprint")
    return row[0] if row else None


def published_version() -> str | None:
    row = _read_served("version")
    return row[0] if row else None


def published_high_water_mark() -> int | None:
    """The highest accepted load_id in the published version: everything up to it has been processed."""
    row = _read_served("loads")
    ids = [entry[0] for entry in json.loads(row[0] or "[]")] if row else []
    return max(ids, default=None)


# --- files: fsynced copies, sequence-named versions with checksums, the served file ---------------


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _staging_name(dst: Path) -> Path:
    """Not ``<file>.tmp``: that is where DuckDB spills for a read-only connection to ``<file>`` (an
    analyst's big query on warehouse.duckdb), so a publish must never write or remove that name."""
    return dst.with_name(dst.name + ".publishing")


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
        raise PublishError(
            f"could not write {tmp}: {e.strerror or e} (expected a writable folder with room for "
            f"{src.stat().st_size:,} bytes); {dst.name} was not changed"
        ) from None
    os.replace(tmp, dst)
    _fsync(dst.parent)


# What the analysts' file holds: aggregates, reference and lineage. Everything else in the working file
# (raw history, staging and intermediate models: person-level rows) stays in the pipeline's storage.
ANALYST_SCHEMAS = ("marts", "reference", "meta")
# Columns that stay behind: a refused cell's own text (a raw value) is kept for the record in the
# working file only; the analysts' file keeps which load, row, column and why.
PIPELINE_ONLY_COLUMNS = {("meta", "quarantine"): ("value",)}


def analyst_tables(con: duckdb.DuckDBPyConnection, database: str) -> list[tuple[str, str, str | None]]:
    """(schema, table, comment) of the tables of ``database`` that the analysts' file holds."""
    return con.execute(
        "select schema_name, table_name, comment from duckdb_tables() where database_name = ? "
        "and schema_name in (select unnest(?::varchar[])) order by 1, 2",
        [database, list(ANALYST_SCHEMAS)],
    ).fetchall()


def analysts_file() -> Path:
    """Where a publish writes the analysts' file before copying it in (beside the working file)."""
    return paths().working.with_name("analysts.duckdb")


def write_analysts_file(working: Path, dst: Path) -> None:
    """Write a new DuckDB file ``dst`` (in the configured storage format, so older clients open it) with
    the analyst tables of ``working`` and their table and column comments (dbt's docs, for DBeaver, the
    DuckDB CLI and ``pcp export``). Reads ``working`` read-only; its cost follows the marts, not raw."""
    for leftover in (dst, dst.with_name(dst.name + ".wal")):
        leftover.unlink(missing_ok=True)
    # checkpoint_threshold 0: the commit writes the tables straight into the file (once), not into
    # the WAL first and the file again at a checkpoint (measured: about half the time)
    con = duckdb.connect(config={**db.limits(), "checkpoint_threshold": "0b"})
    try:
        con.execute(f"attach {db.literal(working)} as w (read_only)")
        con.execute(f"attach {db.literal(dst)} as a (storage_version '{duckdb_storage_version()}')")
        tables = analyst_tables(con, "w")
        con.execute("begin")  # one commit for the whole file, not one WAL flush per statement
        for schema in sorted({s for s, _, _ in tables}):
            con.execute(f'create schema a."{schema}"')
        for schema, table, _ in tables:
            left = ", ".join(f'"{c}"' for c in PIPELINE_ONLY_COLUMNS.get((schema, table), ()))
            con.execute(
                f'create table a."{schema}"."{table}" as select * {f"exclude ({left})" if left else ""} '
                f'from w."{schema}"."{table}"'
            )
        columns = con.execute(
            "select schema_name, table_name, column_name, comment from duckdb_columns() "
            "where database_name = 'w' and comment is not null and comment <> ''"
        ).fetchall()
        con.execute("use a")
        for schema, table, comment in tables:
            if comment:
                con.execute(f'comment on table "{schema}"."{table}" is {db.literal(comment)}')
        kept = {(s, t) for s, t, _ in tables}
        for schema, table, column, comment in columns:
            if (schema, table) in kept and column not in PIPELINE_ONLY_COLUMNS.get((schema, table), ()):
                con.execute(f'comment on column "{schema}"."{table}"."{column}" is {db.literal(comment)}')
        con.execute("commit")
    finally:
        con.close()


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".publishing")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _stat_key(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def sequence_of(version: str) -> int:
    """The version's sequence number (0 for names from before sequences: they sort by name among themselves)."""
    head, sep, _ = version.partition("-")
    return int(head) if sep and head.isdigit() else 0


def versions() -> list[Path]:
    """Kept versions, oldest first, in sequence order."""
    return sorted(paths().versions.glob("*.duckdb"), key=lambda v: (sequence_of(v.stem), v.stem))


def next_version(con: duckdb.DuckDBPyConnection) -> str:
    """``<seq>-<UTC time>``: seq is one more than any version recorded or kept, whatever the clock says."""
    recorded = con.execute("select coalesce(max(seq), 0) from meta.publications").fetchone()[0]
    kept = max((sequence_of(v.stem) for v in versions()), default=0)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{max(recorded, kept) + 1:06d}-{stamp}"


def _keep(src: Path, version: str) -> Path:
    """Copy ``src`` (the file just served) into the store as ``version`` with its checksum beside it."""
    kept = paths().versions / f"{version}.duckdb"
    _fsync_copy(src, kept)
    _write_json(kept.with_suffix(".json"), {"version": version, "sha256": _sha256(kept)})
    return kept


def _kept_checksum(version: str) -> str | None:
    meta = paths().versions / f"{version}.json"
    try:
        return json.loads(meta.read_text())["sha256"]
    except (OSError, ValueError, KeyError):
        return None


def _intact(path: Path, version: str) -> bool:
    """The file exists and has the checksum recorded when ``version`` was kept."""
    want = _kept_checksum(version)
    return path.exists() and want is not None and _sha256(path) == want


def _serve(kept: Path) -> Path:
    """Copy a kept version over the served file (atomically) and remember which version it is."""
    p = paths()
    _fsync_copy(kept, p.published)
    _write_json(p.served_record, {"version": kept.stem, "stat": _stat_key(p.published)})
    return p.published


def served_version_on_record() -> str | None:
    try:
        return json.loads(paths().served_record.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def _opens(path: Path) -> bool:
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return False
    try:
        con.execute("select 1").fetchall()
        return True
    except duckdb.Error:
        return False
    finally:
        con.close()


def served() -> Path | None:
    """The served file, checked: if it changed since it was served (a write by a root user, a damaged
    disk) or DuckDB cannot open it, it is replaced from a kept copy - its own version's if intact, else
    the newest intact one. None if nothing was ever published. Cheap when nothing changed (a stat)."""
    p = paths()
    version = served_version_on_record()
    if version is None:  # published before versions had records, or never published
        return p.published if p.published.exists() else None
    try:
        record = json.loads(p.served_record.read_text())
        unchanged = p.published.exists() and record.get("stat") == _stat_key(p.published)
    except (OSError, ValueError):
        unchanged = False
    if unchanged and _opens(p.published):
        return p.published
    if p.published.exists() and _intact(p.published, version) and _opens(p.published):
        _write_json(p.served_record, {"version": version, "stat": _stat_key(p.published)})  # touched, not changed
        return p.published
    with publish_lock():
        own = p.versions / f"{version}.duckdb"
        candidates = [own] + [v for v in reversed(versions()) if v != own]
        for kept in candidates:
            if _intact(kept, kept.stem) and _opens(kept):
                _serve(kept)
                import sys

                print(
                    f"pcp: the served file {p.published} was changed or damaged; replaced it with the intact "
                    f"kept version {kept.stem}",
                    file=sys.stderr,
                )
                return p.published
    raise PublishError(
        f"the served file {p.published} is changed or damaged and no intact kept version is left in "
        f"{p.versions}; run `pcp build --force` to publish a new one"
    )


def publish_lock():
    """One publish, rollback or withdrawal at a time (an flock beside the working file)."""
    return locks.exclusive(paths().working.parent / "publish.lock")


def record_publication(
    con: duckdb.DuckDBPyConnection, fp: str, dbt_summary: dict | None, audit: dict | None = None
) -> str:
    """Write the new version's record (what it was built from) into the working file before it is copied."""
    con.execute(meta_tables.PUBLICATIONS)
    version = next_version(con)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    loads = con.execute(
        "select load_id, source_table, source_file, sha256, vintage::varchar, rows_read, "
        "coalesce(rows_quarantined, 0) from meta.loads where status = 'accepted' order by load_id"
    ).fetchall()
    validations = (
        con.execute(
            "select load_id, suite, success, validated_at::varchar from meta.validations "
            "where load_id in (select load_id from meta.loads where status = 'accepted') order by load_id"
        ).fetchall()
        if has_table(con, "meta", "validations")
        else []
    )
    con.execute(
        "insert into meta.publications (version, published_at, fingerprint, code_version, loads, dbt, "
        "validations, audit, lineage, seq) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            version,
            now,
            fp,
            code_version(),
            json.dumps([list(r) for r in loads]),
            json.dumps(dbt_summary or {}),
            json.dumps([list(r) for r in validations]),
            json.dumps(audit or {}, default=str),
            json.dumps(dbt_graph()),
            sequence_of(version),
        ],
    )
    return version


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
        ).fetchall()[0][0]
    )


def dbt_graph() -> dict[str, list[str]]:
    """Each dbt model's parents (models, seeds, sources) from the manifest of the build just run."""
    manifest = paths().dbt_target / "manifest.json"
    if not manifest.exists():
        return {}
    parents = json.loads(manifest.read_text()).get("parent_map", {})
    return {k: sorted(v) for k, v in parents.items() if k.startswith(("model.", "seed.", "source."))}


def forget_unpublished(con: duckdb.DuckDBPyConnection) -> None:
    """Drop records of versions a crash stopped before they were kept (a kept version was published)."""
    if not has_table(con, "meta", "publications"):
        return
    con.execute(meta_tables.PUBLICATIONS)
    kept = [v.stem for v in versions()] or [""]
    current = served_version_on_record() or ""
    con.execute(
        "delete from meta.publications where seq > ? and version not in (select unnest(?::varchar[]))",
        [max(sequence_of(current), max((sequence_of(k) for k in kept), default=0)), kept],
    )


def publish_file(working: Path, version: str) -> Path:
    """Serve the analyst tables of the (closed, audited) working file atomically (``write_analysts_file``),
    then keep a copy of the served file as ``version``.

    In this order a crash leaves either the old version served and nothing kept, or the new one
    served (perhaps not yet kept); a version in the store was always served once, so rollback can
    trust the store. Refused if a rollback or withdrawal happened while this build ran (the build
    still holds a load that is now withdrawn).
    """
    from warehouse.publish import withdrawals

    p = paths()
    try:
        p.versions.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PublishError(
            f"cannot create the version store {p.versions}: {e.strerror or e}; nothing published"
        ) from None
    with publish_lock():
        withdrawals.check_not_republished(working)
        analysts = analysts_file()
        try:
            write_analysts_file(working, analysts)
        except duckdb.Error as e:
            raise PublishError(
                f"could not write the analysts' file {analysts}: {str(e).splitlines()[0]}; "
                f"{p.published.name} was not changed"
            ) from None
        _fsync_copy(analysts, p.published)
        analysts.unlink()
        _write_json(p.served_record, {"version": version, "stat": _stat_key(p.published)})
        fault_point("publish:swapped")
        _keep(p.published, version)
        prune_versions()
    return p.published


def prune_versions(keep: int = KEEP_VERSIONS) -> None:
    """Drop all but the newest ``keep`` kept versions (never the one being served)."""
    current = served_version_on_record()
    for old in versions()[:-keep]:
        if old.stem != current:
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)
