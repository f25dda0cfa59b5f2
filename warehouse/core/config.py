"""Where things live. Every path the pipeline writes is under one runtime folder (``var/``).

``PCP_VAR_DIR`` moves the runtime folder (tests point it at a temporary folder);
``PCP_PROJECT_DIR`` says where the repository is if the package is installed elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def project_dir() -> Path:
    env = os.environ.get("PCP_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]  # warehouse/core/config.py -> the project


@dataclass(frozen=True)
class Paths:
    project: Path
    var: Path

    @property
    def dbt_project(self) -> Path:
        return self.project / "dbt_project"

    @property
    def expectations(self) -> Path:
        return self.project / "expectations"

    @property
    def bundled_sources(self) -> Path:
        return self.project / "seeds" / "sources"

    @property
    def reference(self) -> Path:
        return self.project / "seeds" / "reference"

    @property
    def published(self) -> Path:
        """The analysts' database: only ever replaced whole, never written in place."""
        return self.var / "warehouse.duckdb"

    @property
    def working(self) -> Path:
        """The one file the pipeline writes; analysts never open it."""
        return self.var / "build" / "working.duckdb"

    @property
    def versions(self) -> Path:
        return self.var / "published"

    @property
    def served_record(self) -> Path:
        """Which kept version the served file is a copy of, and its stat when served (publish/versions.served)."""
        return self.versions / "served.json"

    @property
    def withdrawn_loads(self) -> Path:
        """Loads a rollback or `pcp withdraw` took out of the published figures (warehouse/publish/withdrawals.py)."""
        return self.working.parent / "withdrawn-loads.json"

    @property
    def landing(self) -> Path:
        return self.var / "landing"

    @property
    def duckdb_temp(self) -> Path:
        """Where DuckDB spills when a query outgrows its memory limit (writer connections and dbt)."""
        return self.var / "tmp" / "duckdb"

    @property
    def extract_state(self) -> Path:
        """Extractors' memory: validators (ETag, Last-Modified) and sha256 of what was last fetched."""
        return self.var / "extract" / "state.json"

    @property
    def downloads(self) -> Path:
        """Downloads in progress (under var/, so a finished one is renamed into landing atomically)."""
        return self.var / "extract" / "incoming"

    @property
    def reports(self) -> Path:
        return self.var / "reports"

    @property
    def dbt_target(self) -> Path:
        return self.var / "dbt" / "target"

    @property
    def dbt_logs(self) -> Path:
        return self.var / "dbt" / "logs"

    @property
    def docs_html(self) -> Path:
        return self.var / "docs" / "index.html"

    @property
    def gx_runtime(self) -> Path:
        return self.var / "gx"

    @property
    def airflow_home(self) -> Path:
        return self.var / "airflow"


# The storage format every file the pipeline creates is written in, and so the published copy: DuckDB
# 1.4 (the long-term-support line) and every later client can open it, not only the DuckDB that wrote
# it (README, "Clients"). ``PCP_DUCKDB_STORAGE_VERSION`` changes it.
def duckdb_storage_version() -> str:
    return os.environ.get("PCP_DUCKDB_STORAGE_VERSION", "v1.4.0")


def duckdb_memory_limit() -> str:
    """DuckDB's memory limit for the pipeline's connections (writer and dbt): ``PCP_DUCKDB_MEMORY_LIMIT``,
    default 3GB. DuckDB's own default is 80% of RAM; with a limit it spills to ``duckdb_temp`` instead,
    so the whole path stays under about 4 GB at national scale (docs/benchmark.md)."""
    return os.environ.get("PCP_DUCKDB_MEMORY_LIMIT", "3GB")


def paths() -> Paths:
    proj = project_dir()
    var = Path(os.environ.get("PCP_VAR_DIR", proj / "var")).resolve()
    return Paths(project=proj, var=var)
