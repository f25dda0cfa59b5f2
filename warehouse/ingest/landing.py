"""The landing zone: ``var/landing/<raw table>/<YYYY-MM-DD>/<file>``, one folder per arrival date.

Landing convention (docs/force-feeds.md, "Sending files"): a sender writes a file under a temporary
name (``.name``, ``*.tmp``, ``*.part``, ``*.partial``, ``*.filepart``, ``*.crdownload``) and renames it to
its final name once complete; a file modified less than ``PCP_LANDING_SETTLE_SECONDS`` ago (default 0)
also waits. Only regular files under the folder of a known contract are loaded; everything else in
landing is reported (``scan``), never silently skipped. Extractors and ``land_file`` follow the same
convention, and checksums make a second pick-up a no-op.

The vintage of a landed file is its arrival folder's date, but never later than the day the
warehouse received it: a folder dated in the future (``2099-01-01/``) gets the date received, so a
correction landed later still wins. A folder that is not a date also gets the date received.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from warehouse.core.config import paths

MANIFEST = "manifest.json"
IN_PROGRESS = (".tmp", ".part", ".partial", ".filepart", ".crdownload")


@dataclass(frozen=True)
class Skipped:
    """A path under landing that is not loaded, and why. ``waiting``: a file still arriving (in
    progress by the convention), not a problem; anything else needs someone to act."""

    path: Path
    why: str
    waiting: bool = False

    def __str__(self) -> str:
        try:
            shown = self.path.relative_to(paths().landing)
        except ValueError:
            shown = self.path
        return f"landing/{shown}: {self.why}"


def settle_seconds() -> float:
    return float(os.environ.get("PCP_LANDING_SETTLE_SECONDS", "0") or 0)


def _skip_reason(path: Path, st: os.stat_result | None, now: float) -> Skipped | None:
    """Why ``path`` (inside a contract's landing folder) is not loaded, or None if it is: the one rule."""
    name = path.name
    if name == MANIFEST:
        return Skipped(path, "manifest", waiting=True)
    if name.endswith(IN_PROGRESS):
        return Skipped(path, "still arriving (temporary name); loaded once renamed to its final name", waiting=True)
    if path.is_symlink():
        return Skipped(
            path,
            f"a symbolic link (to {os.readlink(path)}): landing accepts regular files only, "
            f"so it was not followed; copy the file itself into landing",
        )
    if st is None or not _regular(st):
        return Skipped(path, "not a regular file (a device, pipe or socket): landing accepts regular files only")
    if name.startswith("."):
        return Skipped(
            path,
            "a hidden file (name begins with '.'): not loaded; rename it without the dot if it is data, or remove it",
        )
    settle = settle_seconds()
    if settle and now - st.st_mtime < settle:
        return Skipped(
            path,
            f"modified {now - st.st_mtime:.0f} s ago (under PCP_LANDING_SETTLE_SECONDS={settle:g}): "
            f"taken as still being written; loaded by a later build",
            waiting=True,
        )
    return None


def _regular(st: os.stat_result) -> bool:
    import stat

    return stat.S_ISREG(st.st_mode)


def _walk(root: Path):
    """Every entry under ``root`` without following symbolic links: (path, lstat or None)."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        for d in list(dirs):
            if os.path.islink(os.path.join(folder, d)):
                dirs.remove(d)
                files.append(d)  # reported as a symbolic link
        for f in sorted(files):
            p = Path(folder) / f
            try:
                yield p, os.lstat(p)
            except OSError:
                yield p, None


def received_vintage(path: Path, today: dt.date | None = None) -> dt.date:
    """The arrival folder's date, but never after ``today`` (the day the warehouse received it)."""
    today = today or dt.date.today()
    try:
        folder = dt.date.fromisoformat(path.parent.name)
    except ValueError:
        return today
    return min(folder, today)


def landed_files(table: str) -> list[tuple[Path, dt.date | None]]:
    """(file, vintage) for every complete regular file landed for ``table`` (see ``received_vintage``),
    oldest vintage first, then by arrival folder and name; on the same vintage a file from a future-dated
    folder comes first, so a file landed in a plausible folder loads after it and wins."""
    root = paths().landing / table
    out = []
    if not root.exists():
        return out
    now, today = time.time(), dt.date.today()
    for f, st in _walk(root):
        if _skip_reason(f, st, now) is None:
            out.append((f, received_vintage(f, today)))
    return sorted(out, key=lambda x: (x[1], x[0].parent.name <= x[1].isoformat(), x[0].parent.name, x[0].name))


def scan(known_tables: list[str]) -> tuple[list[Skipped], list[str]]:
    """Everything in landing that is not loaded (unknown folders, files outside a table folder,
    symbolic links, hidden or special files, files still arriving) and notes (folder dates in the
    future). Nothing here is silent: the build, ``pcp status`` and the alerts show it."""
    root = paths().landing
    skipped, notes = [], []
    if not root.exists():
        return skipped, notes
    now, today = time.time(), dt.date.today()
    for entry in sorted(root.iterdir()):
        if entry.is_symlink() or not entry.is_dir():
            skipped.append(
                _skip_reason(entry, _lstat(entry), now)
                if entry.is_symlink()
                else Skipped(entry, "a file directly under landing/: expected landing/<raw table>/<YYYY-MM-DD>/<file>")
            )
            continue
        if entry.name not in known_tables:
            near = difflib.get_close_matches(entry.name, known_tables, n=1, cutoff=0.6)
            hint = f" (did you mean {near[0]}?)" if near else ""
            n = sum(1 for _, st in _walk(entry) if st is not None)
            skipped.append(
                Skipped(
                    entry,
                    f"no source contract reads this folder{hint}; its {n} file(s) were not "
                    f"loaded. Move them to the right folder, or add a contract",
                )
            )
            continue
        for f, st in _walk(entry):
            why = _skip_reason(f, st, now)
            if why is not None and why.why != "manifest":
                skipped.append(why)
            elif why is None:
                try:
                    folder = dt.date.fromisoformat(f.parent.name)
                except ValueError:
                    folder = None
                if folder and folder > today:
                    notes.append(
                        f"landing/{f.relative_to(root)}: folder date {folder} is in the future; "
                        f"its vintage is the date received, {received_vintage(f, today)}"
                    )
    return skipped, notes


def _lstat(p: Path):
    try:
        return os.lstat(p)
    except OSError:
        return None


def land_file(
    src: Path,
    table: str,
    arrived: dt.date | None = None,
    *,
    name: str | None = None,
    move: bool = False,
    manifest: dict | None = None,
) -> Path:
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
