"""The version store and the served file: each publication's record, its kept copy, and the checks
that keep ``var/warehouse.duckdb`` the version on record.

Every published version is recorded in ``meta.publications`` (what it was built from: loads,
validations, dbt results, audit, lineage, code version) and kept as an independent copy
``var/published/<version>.duckdb`` with its checksum beside it (``<version>.json``). The served file and
the kept versions share no bytes (no hard links), so nothing an analyst does to the served file (a root
user can open a 0444 file read-write) can change a kept version; a served file that no longer matches
its version's checksum, or that DuckDB cannot open, is replaced from a kept copy (``served()``).

Versions are ordered by a sequence number (``<seq>-<UTC time>``), never by the wall clock, so a clock
set back cannot make a rollback pick the wrong version. Files are put in place by ``fsync_copy``: copied
to ``<file>.publishing``, flushed, renamed, so nobody ever sees a half-written file. Writing the
analysts' file and serving it is ``publication.py``; rollbacks and withdrawals are ``withdrawals.py``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

import duckdb

from warehouse.core import locks, meta_tables
from warehouse.core.config import paths
from warehouse.core.db import has_table
from warehouse.core.errors import PipelineError
from warehouse.core.faults import fault_point
from warehouse.publish.fingerprint import code_version

KEEP_VERSIONS = int(os.environ.get("PCP_KEEP_VERSIONS", "5"))
READ_ONLY = 0o444

# The one definition of "the latest publication" in a file: by sequence, never by the clock.
LATEST = "from meta.publications order by seq desc nulls last, published_at desc limit 1"


class PublishError(PipelineError):
    """The new version could not be written (disk full, unwritable var/); the old one stays published."""


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


def fsync_copy(src: Path, dst: Path) -> None:
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


def write_json(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".publishing")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def stat_key(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ino]


def sequence_of(version: str) -> int:
    """The version's sequence number (0 for names from before sequences: they sort by name among themselves)."""
    head, sep, _ = version.partition("-")
    return int(head) if sep and head.isdigit() else 0


def kept_versions() -> list[Path]:
    """Kept versions, oldest first, in sequence order."""
    return sorted(paths().versions.glob("*.duckdb"), key=lambda v: (sequence_of(v.stem), v.stem))


def next_version(con: duckdb.DuckDBPyConnection) -> str:
    """``<seq>-<UTC time>``: seq is one more than any version recorded or kept, whatever the clock says."""
    recorded = con.execute("select coalesce(max(seq), 0) from meta.publications").fetchone()[0]
    kept = max((sequence_of(v.stem) for v in kept_versions()), default=0)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{max(recorded, kept) + 1:06d}-{stamp}"


def keep_copy(src: Path, version: str) -> Path:
    """Copy ``src`` (an analysts' file: the one just served) into the store as ``version`` with its
    checksum beside it."""
    kept = paths().versions / f"{version}.duckdb"
    fsync_copy(src, kept)
    write_json(kept.with_suffix(".json"), {"version": version, "sha256": _sha256(kept), "analysts_only": True})
    return kept


def strip_to_analysts_file(kept: Path) -> bool:
    """A version kept before the split storage (a byte copy of the whole working file: raw history,
    staging and intermediate models, refused cells' text) is rewritten as the analysts' file of the
    same build, with its new checksum, so that no rollback serves person-level rows again. Versions
    kept since are marked ``analysts_only`` and not opened. True if ``kept`` was rewritten."""
    from warehouse.publish.publication import write_analysts_file

    meta = kept.with_suffix(".json")
    try:
        if json.loads(meta.read_text()).get("analysts_only"):
            return False
    except (OSError, ValueError):
        pass  # no record: a version from before checksums; rewritten all the same
    tmp = kept.with_name(f".{kept.stem}.analysts")
    tmp.unlink(missing_ok=True)
    write_analysts_file(kept, tmp)
    keep_copy(tmp, kept.stem)
    tmp.unlink()
    return True


def kept_checksum(version: str) -> str | None:
    meta = paths().versions / f"{version}.json"
    try:
        return json.loads(meta.read_text())["sha256"]
    except (OSError, ValueError, KeyError):
        return None


def intact(path: Path, version: str) -> bool:
    """The file exists and has the checksum recorded when ``version`` was kept."""
    want = kept_checksum(version)
    return path.exists() and want is not None and _sha256(path) == want


def serve(kept: Path) -> Path:
    """Copy a kept version over the served file (atomically) and remember which version it is."""
    p = paths()
    strip_to_analysts_file(kept)
    fsync_copy(kept, p.published)
    record_served(kept.stem)
    return p.published


def record_served(version: str) -> None:
    """Remember that the served file is ``version`` as it is now (its size, mtime and inode)."""
    p = paths()
    write_json(p.served_record, {"version": version, "stat": stat_key(p.published)})


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
        unchanged = p.published.exists() and record.get("stat") == stat_key(p.published)
    except (OSError, ValueError):
        unchanged = False
    if unchanged and _opens(p.published):
        return p.published
    if p.published.exists() and intact(p.published, version) and _opens(p.published):
        record_served(version)  # touched, not changed
        return p.published
    with publish_lock():
        own = p.versions / f"{version}.duckdb"
        candidates = [own] + [v for v in reversed(kept_versions()) if v != own]
        for kept in candidates:
            if intact(kept, kept.stem) and _opens(kept):
                serve(kept)
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


def _manifest() -> dict:
    """dbt's manifest of the build just run (read once per build: a few MB of JSON)."""
    path = paths().dbt_target / "manifest.json"
    try:
        return _read_manifest(str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        return {}


@functools.lru_cache(maxsize=1)
def _read_manifest(path: str, mtime_ns: int) -> dict:
    return json.loads(Path(path).read_text())


def dbt_graph() -> dict[str, list[str]]:
    """Each dbt model's parents (models, seeds, sources) from the manifest of the build just run."""
    parents = _manifest().get("parent_map", {})
    return {k: sorted(v) for k, v in parents.items() if k.startswith(("model.", "seed.", "source."))}


def dbt_model_meta() -> dict[str, dict]:
    """Each dbt model's ``meta`` (its YAML ``config: meta:``), by model name, from the same manifest."""
    nodes = _manifest().get("nodes", {})
    return {n["name"]: n.get("config", {}).get("meta") or {} for k, n in nodes.items() if k.startswith("model.")}


def forget_unpublished(con: duckdb.DuckDBPyConnection) -> None:
    """Drop records of versions a crash stopped before they were kept (a kept version was published)."""
    if not has_table(con, "meta", "publications"):
        return
    con.execute(meta_tables.PUBLICATIONS)
    kept = [v.stem for v in kept_versions()] or [""]
    current = served_version_on_record() or ""
    con.execute(
        "delete from meta.publications where seq > ? and version not in (select unnest(?::varchar[]))",
        [max(sequence_of(current), max((sequence_of(k) for k in kept), default=0)), kept],
    )


def prune_versions(keep: int = KEEP_VERSIONS) -> None:
    """Drop all but the newest ``keep`` kept versions (never the one being served)."""
    current = served_version_on_record()
    for old in kept_versions()[:-keep]:
        if old.stem != current:
            old.unlink(missing_ok=True)
            old.with_suffix(".json").unlink(missing_ok=True)
