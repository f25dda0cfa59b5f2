"""Source contracts, read from the dbt sources YAML (``dbt_project/models/staging/*/_*__sources.yml``).

A contract is written once, in dbt's own YAML: the loader uses it to type and check files, the
Great Expectations suite builder turns it into expectations, and dbt shows it in the docs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from warehouse.core.config import paths

DUCKDB_TYPES = {"varchar": "VARCHAR", "integer": "BIGINT", "double": "DOUBLE", "date": "DATE",
                "timestamp": "TIMESTAMP", "boolean": "BOOLEAN"}


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str
    meta: dict[str, Any]

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.data_type]

    @property
    def nullable(self) -> bool:
        return bool(self.meta.get("nullable", False))


@dataclass(frozen=True)
class Contract:
    """One raw table: ``source`` is the dbt source name, ``table`` its identifier in schema raw."""

    source: str
    name: str
    table: str
    description: str
    columns: tuple[Column, ...]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def domain(self) -> str:
        return self.meta["domain"]

    @property
    def period_column(self) -> str | None:
        return self.meta.get("period_column")

    @property
    def grain(self) -> list[str]:
        return list(self.meta.get("grain", []))

    @property
    def checks(self) -> dict[str, Any]:
        return dict(self.meta.get("checks") or {})

    @property
    def is_sample(self) -> bool:
        return bool(self.meta.get("is_sample", False))

    def bundled_files(self) -> list[tuple[Path, dt.date | None]]:
        """(absolute path, vintage) of each bundled snapshot, oldest vintage first."""
        root = paths().bundled_sources
        out = []
        for f in self.meta.get("files") or []:
            v = f.get("vintage")
            out.append((root / f["path"], v if isinstance(v, dt.date) or v is None else dt.date.fromisoformat(str(v))))
        return sorted(out, key=lambda p: (p[1] or dt.date.min, p[0].name))


def _source_files(project: Path) -> list[Path]:
    return sorted((project / "dbt_project" / "models" / "staging").glob("*/_*__sources.yml"))


@lru_cache(maxsize=4)
def _load(project: Path) -> dict[str, Contract]:
    found: dict[str, Contract] = {}
    for path in _source_files(project):
        doc = yaml.safe_load(path.read_text()) or {}
        for src in doc.get("sources", []):
            for t in src.get("tables", []):
                meta = ((t.get("config") or {}).get("meta") or {}).get("contract")
                if meta is None:
                    continue
                cols = tuple(
                    Column(c["name"], c.get("data_type", "varchar"), c.get("description", "").strip(),
                           ((c.get("config") or {}).get("meta") or {}))
                    for c in t.get("columns", [])
                )
                table = t.get("identifier", t["name"])
                found[table] = Contract(src["name"], t["name"], table, (t.get("description") or "").strip(),
                                        cols, meta)
    return found


def all_contracts() -> dict[str, Contract]:
    """Every contract, keyed by raw table name (e.g. ``home_office__workforce_open_data``)."""
    return _load(paths().project)


def get(table: str) -> Contract:
    contracts = all_contracts()
    if table not in contracts:
        raise KeyError(f"no source contract named {table!r}; known: {', '.join(sorted(contracts))}")
    return contracts[table]
