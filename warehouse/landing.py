"""The landing zone: ``var/landing/<raw table>/<YYYY-MM-DD>/<file>``, one folder per arrival date.

Extractors and forces' drops put files here (by atomic rename, so a half-written file is never
seen); the loader picks up everything in it, and checksums make a second pick-up a no-op.
"""

from __future__ import annotations

import datetime as dt
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


def land_file(src: Path, table: str, arrived: dt.date | None = None) -> Path:
    """Copy a file into the landing zone atomically (copy to a temporary name, then rename)."""
    arrived = arrived or dt.date.today()
    dest_dir = paths().landing / table / arrived.isoformat()
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / Path(src).name
    tmp = dest.with_name("." + dest.name + ".tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)
    return dest
