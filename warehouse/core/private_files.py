"""Alert and log files readable by their owner only (0600, in 0700 folders).

They name files, loads and errors that people outside the team should not read, whatever the umask:
``var/alerts/`` (failures.jsonl, input_problems_seen.json), ``var/logs/pcp-errors.log`` and dbt's
log folder ``var/dbt/logs``. Airflow's own logs are set up owner-only in scripts/airflow_local.sh.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def private_dir(folder: Path) -> Path:
    """``folder`` (and missing parents) created, and ``folder`` itself made 0700."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


@contextlib.contextmanager
def private_file(path: Path, append: bool = True) -> Iterator[IO[str]]:
    """``path`` opened for text (appending by default), 0600 even if an older version made it 0644."""
    private_dir(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "a" if append else "w", encoding="utf-8") as fh:
        yield fh


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, 0600."""
    tmp = path.with_name("." + path.name + ".tmp")
    with private_file(tmp, append=False) as fh:
        fh.write(text)
    os.replace(tmp, path)


def tighten(folder: Path) -> None:
    """Make ``folder`` 0700 and every file under it 0600 (a tool that writes its own logs: dbt)."""
    if not folder.exists():
        return
    os.chmod(folder, 0o700)
    for root, dirs, files in os.walk(folder):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o700)
        for f in files:
            os.chmod(os.path.join(root, f), 0o600)
