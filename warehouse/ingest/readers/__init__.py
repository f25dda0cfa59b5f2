"""Readers turn a source file into a DuckDB relation with the contract's columns (as text or typed)
plus ``_row_number`` (the data row in the file, 1 = first row under the header).

A contract names its reader (``reader: csv``); modules here register more for messy formats.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb

from warehouse.core.contracts import Contract

Reader = Callable[[duckdb.DuckDBPyConnection, Path, Contract], duckdb.DuckDBPyRelation]

READERS: dict[str, Reader] = {}


def register(name: str) -> Callable[[Reader], Reader]:
    def deco(fn: Reader) -> Reader:
        READERS[name] = fn
        return fn

    return deco


def reader_for(contract: Contract) -> Reader:
    # Import the modules that register readers (kept lazy: pandas/odf cost time at import).
    from warehouse.ingest.readers import (  # noqa: F401
        csv_file,  # noqa: F401
        hate_crime_ods,
        home_office_workforce_tables,  # noqa: F401
        police_uk_json,
        pseudonymised_csv,  # noqa: F401
        published_csv,
    )

    name = contract.meta.get("reader", "csv")
    try:
        return READERS[name]
    except KeyError:
        raise KeyError(f"contract {contract.table} names reader {name!r}, which is not registered") from None
