"""The landing zone: ``var/landing/<raw table>/<YYYY-MM-DD>/<file>``, one folder per arrival date.

Extractors and forces' drops put files here (by atomic rename, so a half-written file is never
seen); the loader picks up everything in it, and checksums make a second pick-up a no-op.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

from warehouse.config import paths

MANIFEST = "manifest.json"


def landed_files(table: str) -> list[tuple[Path, dt.date | None]]:
    """(file, vintage) for every file landed for ``table``; the arrival folder's date is the vintage."""
    root = paths().landing / table
    out = []
    if not root.exists():
        return out
    for f in sorted(root.rglob("*")):
        if not f.is_file() or f.name == MANIFEST or f.name.startswith(".") or f.suffix == ".tmp":
            continue
        try:
            vintage = dt.date.fromisoformat(f.parent.name)
        except ValueError:
            vintage = None
        out.append((f, vintage))
    return sorted(out, key=lambda x: (x[1] or dt.date.min, x[0].name))


def land_file(src: Path, table: str, arrived: dt.date | None = None, *, name: str | None = None,
              move: bool = False, manifest: dict | None = None) -> Path:
    """Put a file into the landing zone atomically and return its landed path.

    ``move=True`` renames ``src`` (a finished download under ``var/``, so on the same filesystem) instead
    of copying it; either way the file appears under its final name in one rename. ``manifest`` (url,
    sha256, ...) is recorded for the file in the folder's ``manifest.json``.
    """
    arrived = arrived or dt.date.today()
    dest_dir = paths().landing / table / arrived.isoformat()
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / (name or Path(src).name)
    if move:
        os.replace(src, dest)
    else:
        tmp = dest.with_name("." + dest.name + ".tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    if manifest is not None:
        record_in_manifest(dest, manifest)
    return dest


def read_manifest(folder: Path) -> dict:
    """``{"files": {file name: {url, fetched_at, etag, last_modified, sha256, bytes, content_type}}}``."""
    f = Path(folder) / MANIFEST
    return json.loads(f.read_text()) if f.exists() else {"files": {}}


def record_in_manifest(landed: Path, entry: dict) -> None:
    """Add or replace one file's entry in its folder's manifest (written to a temporary name, then renamed)."""
    doc = read_manifest(landed.parent)
    doc["files"][landed.name] = entry
    tmp = landed.parent / ("." + MANIFEST + ".tmp")
    tmp.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, landed.parent / MANIFEST)
