"""Source contracts, read from the dbt sources YAML (``dbt_project/models/staging/*/_*__sources.yml``).

A contract is written once, in dbt's own YAML: the loader uses it to type and check files, the
Great Expectations suite builder turns it into expectations, and dbt shows it in the docs.

The keys a contract may use are the typed models below (``ContractSpec`` under a table's
``config.meta.contract``, ``ColumnSpec`` under a column's ``config.meta``). An unknown or misspelt
key is refused at load with the file, table, column and key (``ContractSpecError``), so a key no code
reads cannot sit in a contract looking as if it did something. ``docs/contracts.md`` is generated
from the models (``python -m warehouse.core.contracts > docs/contracts.md``; a test fails if it drifts).
The domains (one ingest DAG each) are read from the contracts too: ``domains()``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from warehouse.core.config import paths

DUCKDB_TYPES = {
    "varchar": "VARCHAR",
    "integer": "BIGINT",
    "double": "DOUBLE",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "boolean": "BOOLEAN",
}


class ContractSpecError(ValueError):
    """A sources YAML breaks the contract schema: names the file, table, column and key."""


class _Spec(BaseModel):
    # extra="forbid": a key no code reads is an error, not a silent no-op (issue 20)
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


Bound = int | float | dt.date | dt.datetime


class ColumnSpec(_Spec):
    """A column's checks and reading hints, under the column's ``config.meta`` in the sources YAML."""

    nullable: bool = Field(
        False, description="The column may be empty (NULL); otherwise the gate refuses an empty value."
    )
    allowed: list[Any] | None = Field(
        None, description="The only values the column may hold (gate: ExpectColumnValuesToBeInSet)."
    )
    reference: str | None = Field(
        None,
        description="``<table>.<column>`` of a CSV in seeds/reference/ whose "
        "values are the only valid ones, e.g. "
        "``lad16_csp16_pfa16.CSP16CD`` (warehouse/core/reference.py).",
    )
    pattern: str | None = Field(None, description="Regular expression every value must match.")
    min: Bound | None = Field(None, description="Smallest valid value (number, date or timestamp).")
    max: Bound | None = Field(None, description="Largest valid value (number, date or timestamp).")
    max_today: bool = Field(False, description="A date or timestamp may not be after the day the gate runs.")
    force_name: bool = Field(
        False,
        description="The column holds a police force *name*; the gate resolves it "
        "through seeds/reference/force_aliases.csv and quarantines "
        "unknown names (reference.check_force_names).",
    )
    person_level: bool = Field(
        False,
        description="The column holds a person-level value (an id, a reference, "
        "free text): never echoed in a message, alert, log or "
        "meta.quarantine (warehouse/core/safe_messages.py).",
    )
    lad_geography: bool = Field(
        False,
        description="The column holds a local authority district code; the gate "
        "quarantines a code of no ONS geography year, naming it "
        "(warehouse/core/geography.py).",
    )
    header: str | None = Field(
        None,
        description="published_csv reader: the column's name in the file when it "
        "is not the contract name (e.g. ``Total Religion``).",
    )
    thousands_separator: bool = Field(
        False, description="published_csv reader: whole numbers may be written with comma groups (``2,407,600``)."
    )
    na_text: str | list[str] | None = Field(
        None,
        description="published_csv reader: exact text (or texts) "
        "meaning 'no figure', read as NULL (e.g. "
        "``#N/A``); needs ``nullable: true``.",
    )
    missing_values: str | list[str] | None = Field(
        None,
        description="Markers the publisher uses for a "
        "missing figure (``[x]``, ``..``), read "
        "as NULL and counted in "
        "meta.missing_values; overrides the "
        "contract-level list for this column.",
    )


class DistinctPerPeriod(_Spec):
    """How many distinct values of ``column`` each period must have (e.g. 43 forces a snapshot)."""

    column: str = Field(description="The column counted per period (``period_column``).")
    equals: int | None = Field(
        None,
        description="Exactly this many (a complete period; with ``min`` too, "
        "the number expected when nothing is left out).",
    )
    min: int | None = Field(
        None,
        description="At least this many. With ``equals`` 43 on a force column, a "
        "period with between ``min`` and 43 forces loads and the absent "
        "forces are recorded as not supplied (warehouse/gate/not_supplied.py).",
    )
    max: int | None = Field(None, description="At most this many.")


class DistinctColumn(_Spec):
    """The column a per-period check reads."""

    column: str = Field(description="The column holding the district (LAD) code.")


class Checks(_Spec):
    """Checks across rows or columns, beyond each column's own."""

    distinct_per_period: DistinctPerPeriod | None = Field(
        None, description="Distinct values per period (``column`` and ``equals``, ``min`` or ``max``)."
    )
    lad_geography_per_period: DistinctColumn | None = Field(
        None,
        description="Each period's district codes "
        "are exactly one ONS geography "
        "year's set "
        "(warehouse/core/geography.py).",
    )
    not_greater_than: list[tuple[str, str]] = Field(
        [], description="Pairs ``[a, b]``: ``a`` is never above ``b`` in a row (FTE never above headcount)."
    )
    in_order: list[str] = Field(
        [],
        description="Timestamp columns that must not go backwards within a row, "
        "read in ``timezone`` (warehouse/ingest/local_time.py).",
    )


class Partition(_Spec):
    """Force feeds: each file declares its force and month(s) in its name (warehouse/ingest/partitions.py)."""

    file_prefix: str = Field(description="File names are ``<file_prefix>_<area code>_<YYYY-MM>[...].csv``.")
    area_column: str = Field(description="The column that must hold the file name's area code.")
    period_column: str = Field(description="The date or timestamp column that must fall in the file name's month(s).")


class BundledFile(_Spec):
    """A snapshot shipped with the project under ``seeds/sources/``."""

    path: str = Field(description="Path under seeds/sources/.")
    vintage: dt.date | None = Field(
        None, description="Publication date of this edition (newest wins in the marts where editions restate)."
    )


class IngestSchedule(_Spec):
    """The schedule of a domain's ingest DAG (``ingest_<domain>``), given by one of its contracts."""

    cron: str = Field(description="Cron expression, UTC (e.g. ``0 6 5 * *``: 06:00 on the 5th).")
    why: str = Field(description="Why this schedule, in words (shown in the DAG's docs).")


class ContractSpec(_Spec):
    """One raw table's contract, under the table's ``config.meta.contract`` in the sources YAML."""

    domain: str = Field(
        description="Source domain (``workforce``, ``contact``...): one ingest DAG per domain, asset ``raw_<domain>``."
    )
    publisher: str = Field(description="Who publishes the data (shown in the packs' source notes).")
    title: str = Field(description="The publication's title, with file and sheet.")
    url: str = Field(description="Where the publication is, or ``none`` for a force-internal feed.")
    licence: str = Field(description="Licence of the data (e.g. Open Government Licence v3.0).")
    cadence: str = Field(description="How often the publisher issues it, in words.")
    ingest_schedule: IngestSchedule | None = Field(
        None,
        description="When the domain's ingest DAG runs "
        "(``cron``, ``why``). Exactly one "
        "contract of each domain gives it.",
    )
    restatements: str = Field(description="What a later edition does to earlier figures.")
    grain: list[str] = Field([], description="Columns unique together within a load.")
    period_column: str | None = Field(
        None,
        description="The column naming a row's period: the gate counts "
        "per period and staging (``accepted_rows``) keeps the "
        "newest accepted load per period.",
    )
    units: str = Field(description="Units of the figures, in words.")
    reader: str = Field(
        "csv",
        description="``csv`` or a reader registered in warehouse/ingest/readers/ "
        "(``published_csv``, ``pseudonymised_csv``...).",
    )
    files: list[BundledFile] = Field([], description="Bundled snapshots: ``path`` under seeds/sources and ``vintage``.")
    checks: Checks = Field(Checks(), description="``distinct_per_period``, ``not_greater_than``, ``in_order``.")
    partition: Partition | None = Field(
        None, description="Force feeds: ``file_prefix``, ``area_column``, ``period_column``."
    )
    is_sample: bool = Field(
        False,
        description="True for generated SAMPLE data; its metrics are labelled "
        "SAMPLE and may never share an id with real data.",
    )
    pseudonymise: list[str] = Field(
        [], description="Columns replaced at load by a keyed hash (HMAC-SHA256, PCP_PSEUDONYM_KEY)."
    )
    timezone: str | None = Field(None, description="Zone of wall-clock timestamps without an offset (Europe/London).")
    missing_values: str | list[str] | None = Field(
        None, description="Markers for a missing figure in any column (``[x]``, ``..``), read as NULL."
    )
    max_file_bytes: int | None = Field(
        None, description="This table's file size limit (default: reliability.yml input.max_file_bytes)."
    )
    max_line_bytes: int | None = Field(
        None, description="This table's line length limit (default: reliability.yml input.max_line_bytes)."
    )


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str
    meta: dict[str, Any]
    spec: ColumnSpec = field(default_factory=ColumnSpec)

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.data_type]

    @property
    def nullable(self) -> bool:
        return self.spec.nullable


@dataclass(frozen=True)
class Contract:
    """One raw table: ``source`` is the dbt source name, ``table`` its identifier in schema raw.

    ``spec`` is the typed contract; ``meta`` the same keys as a plain dict (as written in the YAML)."""

    source: str
    name: str
    table: str
    description: str
    columns: tuple[Column, ...]
    meta: dict[str, Any] = field(default_factory=dict)
    spec: ContractSpec | None = None
    file: Path | None = None  # the sources YAML it is written in

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def domain(self) -> str:
        return self.spec.domain

    @property
    def period_column(self) -> str | None:
        return self.spec.period_column

    @property
    def grain(self) -> list[str]:
        return list(self.spec.grain)

    @property
    def checks(self) -> dict[str, Any]:
        return self.spec.checks.model_dump(exclude_unset=True)

    @property
    def is_sample(self) -> bool:
        return self.spec.is_sample

    def bundled_files(self) -> list[tuple[Path, dt.date | None]]:
        """(absolute path, vintage) of each bundled snapshot, oldest vintage first."""
        root = paths().bundled_sources
        out = [(root / f.path, f.vintage) for f in self.spec.files]
        return sorted(out, key=lambda p: (p[1] or dt.date.min, p[0].name))


def _source_files(project: Path) -> list[Path]:
    return sorted((project / "dbt_project" / "models" / "staging").glob("*/_*__sources.yml"))


def _typed(model: type[_Spec], raw: Any, where: str) -> Any:
    try:
        return model.model_validate(raw or {})
    except ValidationError as e:
        problems = []
        for err in e.errors():
            key = ".".join(str(x) for x in err["loc"])
            if err["type"] == "extra_forbidden":
                known = ", ".join(model.model_fields)
                problems.append(f"unknown key {key!r} (known keys: {known}; docs/contracts.md)")
            else:
                problems.append(f"{key}: {err['msg']} (found {err.get('input')!r})")
        raise ContractSpecError(f"{where}: " + "; ".join(problems)) from None


@lru_cache(maxsize=4)
def _load(project: Path, stamp: tuple) -> dict[str, Contract]:
    found: dict[str, Contract] = {}
    for path, *_ in stamp:
        doc = yaml.safe_load(path.read_text()) or {}
        rel = path.relative_to(project) if path.is_relative_to(project) else path
        for src in doc.get("sources", []):
            for t in src.get("tables", []):
                meta = ((t.get("config") or {}).get("meta") or {}).get("contract")
                if meta is None:
                    continue
                where = f"{rel}: source {src['name']!r}, table {t['name']!r}"
                spec = _typed(ContractSpec, meta, f"{where}, config.meta.contract")
                cols = []
                for c in t.get("columns", []):
                    cmeta = (c.get("config") or {}).get("meta") or {}
                    dtype = c.get("data_type", "varchar")
                    if dtype not in DUCKDB_TYPES:
                        raise ContractSpecError(
                            f"{where}, column {c['name']!r}: data_type {dtype!r} is not one "
                            f"of {', '.join(DUCKDB_TYPES)}"
                        )
                    cols.append(
                        Column(
                            c["name"],
                            dtype,
                            c.get("description", "").strip(),
                            cmeta,
                            _typed(ColumnSpec, cmeta, f"{where}, column {c['name']!r} config.meta"),
                        )
                    )
                table = t.get("identifier", t["name"])
                found[table] = Contract(
                    src["name"], t["name"], table, (t.get("description") or "").strip(), tuple(cols), meta, spec, path
                )
    return found


def all_contracts() -> dict[str, Contract]:
    """Every contract, keyed by raw table name (e.g. ``home_office__workforce_open_data``).
    Read again when a sources YAML is added, removed or edited (the cache key is their stats)."""
    project = paths().project
    stamp = tuple((f, st.st_mtime_ns, st.st_size) for f in _source_files(project) for st in [f.stat()])
    return _load(project, stamp)


def get(table: str) -> Contract:
    contracts = all_contracts()
    if table not in contracts:
        raise KeyError(f"no source contract named {table!r}; known: {', '.join(sorted(contracts))}")
    return contracts[table]


@dataclass(frozen=True)
class Domain:
    """A source domain: its raw tables and the cron of its ingest DAG (``ingest_<name>``)."""

    name: str
    cron: str
    why: str
    tables: tuple[str, ...]


def domains() -> dict[str, Domain]:
    """The domain registry, read from the contracts (``domain`` and ``ingest_schedule``): adding a
    contract with a new domain adds its ingest DAG with no other edit. Raises ContractSpecError unless
    exactly one contract of each domain gives ``ingest_schedule``."""
    by: dict[str, list[Contract]] = {}
    for c in all_contracts().values():
        by.setdefault(c.domain, []).append(c)
    out = {}
    for name, cs in sorted(by.items()):
        given = [c for c in cs if c.spec.ingest_schedule]
        if len(given) != 1:
            said = ", ".join(f"{c.file.name} table {c.name!r}" for c in given) or "none does"
            raise ContractSpecError(
                f"domain {name!r}: exactly one of its contracts must give ingest_schedule "
                f"(cron and why of DAG ingest_{name}); {said}. Its tables: "
                f"{', '.join(sorted(c.table for c in cs))}"
            )
        sched = given[0].spec.ingest_schedule
        out[name] = Domain(name, sched.cron, sched.why, tuple(sorted(c.table for c in cs)))
    return out


def reference_markdown() -> str:
    """docs/contracts.md: every key a contract may use, from the typed models (so the doc cannot drift)."""
    lines = [
        "# Source contract keys",
        "",
        "Generated from `warehouse/core/contracts.py` by `python -m warehouse.core.contracts > docs/contracts.md`;",
        "do not edit by hand (a test fails if this file and the models differ). A key not listed here",
        "is refused when the contracts are read, naming the file, table, column and key.",
        "",
    ]
    sections = [
        ("Table: `config.meta.contract`", ContractSpec),
        ("`checks`", Checks),
        ("`checks.distinct_per_period`", DistinctPerPeriod),
        ("`checks.lad_geography_per_period`", DistinctColumn),
        ("`partition`", Partition),
        ("`files` (each)", BundledFile),
        ("`ingest_schedule`", IngestSchedule),
        ("Column: `config.meta`", ColumnSpec),
    ]
    for title, model in sections:
        lines += [f"## {title}", "", (model.__doc__ or "").strip(), "", "| key | required | meaning |", "|---|---|---|"]
        for key, f in model.model_fields.items():
            lines.append(f"| `{key}` | {'yes' if f.is_required() else 'no'} | {f.description} |")
        lines.append("")
    return "\n".join(lines).replace("``", "`")


if __name__ == "__main__":
    print(reference_markdown(), end="")
