"""The code fingerprint: what a build depends on, so an unchanged build is not published again.

``fingerprint(con)`` hashes the accepted loads (id and checksum) with ``code_fingerprint()``, the bytes
of every file that shapes the marts (``SHAPES_MARTS``). The pipeline compares it with the published
version's (``versions.published_fingerprint``): equal means nothing to publish; a code change outside
``SHAPES_MARTS`` (a CSS, the CLI's help text) changes nothing. ``code_version()`` is the package version
and ``git describe``, recorded with each publication for lineage.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import duckdb

from warehouse import __version__
from warehouse.core.config import paths


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
