"""Shared fixtures. Every test builds under a temporary PCP_VAR_DIR and never touches the user's var/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

PROJECT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")


@pytest.fixture
def var_dir(tmp_path, monkeypatch) -> Path:
    """A fresh, empty runtime folder for this test."""
    d = tmp_path / "var"
    d.mkdir()
    monkeypatch.setenv("PCP_VAR_DIR", str(d))
    return d


@pytest.fixture(scope="session")
def built_var(tmp_path_factory) -> Path:
    """One full build of all bundled data, shared read-only by the tests that only query it.

    Built by the real `pcp build` in a subprocess (the same path `make run` takes). Tests must not
    write into it: copy it (see ``copy_of_built``) to change anything.
    """
    d = tmp_path_factory.mktemp("built") / "var"
    env = {**os.environ, "PCP_VAR_DIR": str(d)}
    proc = subprocess.run(
        [str(VENV_BIN / "pcp"), "sample", "defaults"], env=env, capture_output=True, text=True, cwd=PROJECT, timeout=600
    )  # the SAMPLE force feeds, as `make run` does
    assert proc.returncode == 0, f"pcp sample defaults failed:\n{proc.stdout}\n{proc.stderr}"
    proc = subprocess.run(
        [str(VENV_BIN / "pcp"), "build"], env=env, capture_output=True, text=True, cwd=PROJECT, timeout=1800
    )
    assert proc.returncode == 0, f"pcp build failed:\n{proc.stdout}\n{proc.stderr}"
    return d


@pytest.fixture
def published(built_var) -> duckdb.DuckDBPyConnection:
    """Read-only connection to the published warehouse of the shared build."""
    con = duckdb.connect(str(built_var / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture
def pipeline_store(built_var) -> duckdb.DuckDBPyConnection:
    """Read-only connection to the shared build's working file: the pipeline's own storage, where raw
    history (person-level rows), staging and intermediate models live (not in the published file)."""
    con = duckdb.connect(str(built_var / "build" / "working.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture
def copy_of_built(built_var, tmp_path, monkeypatch) -> Path:
    """A private copy of the shared build's runtime folder, for tests that change it."""
    d = tmp_path / "var"
    shutil.copytree(built_var, d)
    monkeypatch.setenv("PCP_VAR_DIR", str(d))
    return d


@pytest.fixture
def frozen_project(tmp_path, monkeypatch) -> Path:
    """A snapshot of the code and data a build fingerprints (PCP_PROJECT_DIR), so that colleagues'
    edits to the working tree during the test cannot make a second build legitimately differ."""
    snap = tmp_path / "project"
    skip = shutil.ignore_patterns("__pycache__", "target", "logs", "*.pyc")
    for part in ("dbt_project", "seeds", "expectations", "warehouse"):
        shutil.copytree(PROJECT / part, snap / part, ignore=skip)
    monkeypatch.setenv("PCP_PROJECT_DIR", str(snap))
    return snap


def run_pcp(*args: str, var: Path, check: bool = True, timeout: int = 1800) -> subprocess.CompletedProcess:
    env = {**os.environ, "PCP_VAR_DIR": str(var)}
    proc = subprocess.run(
        [str(VENV_BIN / "pcp"), *args], env=env, capture_output=True, text=True, cwd=PROJECT, timeout=timeout
    )
    if check:
        assert proc.returncode == 0, f"pcp {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def file_digest(path: Path) -> str:
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
