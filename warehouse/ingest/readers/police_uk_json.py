"""data.police.uk API answers (``crimes-street/all-crime``): a JSON array of crime objects, stored as served.

Each object becomes one row (``_row_number`` = its 1-based position in the array); the nested
``location`` and ``outcome_status`` objects are flattened into the contract's columns. Values are passed
on as text, so the loader's type check names the record and value of anything that is not what the
contract says (the API writes latitude and longitude as strings).
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from warehouse.core.contracts import Contract
from warehouse.core.errors import ContractError
from warehouse.ingest.readers import register

REQUIRED = (
    "category",
    "location_type",
    "location",
    "context",
    "outcome_status",
    "persistent_id",
    "id",
    "location_subtype",
    "month",
)


def _flat(rec: dict) -> dict:
    loc = rec["location"] or {}
    street = loc.get("street") or {}
    outcome = rec["outcome_status"] or {}
    return {
        "id": rec["id"],
        "persistent_id": rec["persistent_id"] or None,
        "month": rec["month"],
        "category": rec["category"],
        "location_type": rec["location_type"],
        "location_subtype": rec["location_subtype"] or None,
        "context": rec["context"] or None,
        "latitude": loc.get("latitude"),
        "longitude": loc.get("longitude"),
        "street_id": street.get("id"),
        "street_name": street.get("name"),
        "outcome_category": outcome.get("category"),
        "outcome_month": outcome.get("date"),
    }


@register("police_uk_api_json")
def read_api_json(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract) -> duckdb.DuckDBPyRelation:
    import pandas as pd

    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as e:
        raise ContractError(f"{path.name}: byte offset {e.start} is not UTF-8 (expected a JSON API answer)") from None
    except json.JSONDecodeError as e:
        raise ContractError(
            f"{path.name}: not valid JSON at line {e.lineno}, column {e.colno}: {e.msg} "
            f"(expected the JSON array the police.uk API returns)"
        ) from None
    if not isinstance(doc, list):
        raise ContractError(
            f"{path.name}: the JSON is a {type(doc).__name__}, expected an array of crimes "
            f"(an API error answers with an object)"
        )
    rows = []
    for i, rec in enumerate(doc, start=1):
        if not isinstance(rec, dict):
            raise ContractError(f"{path.name}: record {i} is {json.dumps(rec)[:60]}, expected an object")
        missing = [k for k in REQUIRED if k not in rec]
        if missing:
            raise ContractError(
                f"{path.name}: record {i} (row {i}) has no key(s) {missing}; "
                f"expected every crime to have {list(REQUIRED)}"
            )
        rows.append({k: (None if v is None else str(v)) for k, v in _flat(rec).items()} | {"_row_number": i})
    df = pd.DataFrame(rows, columns=contract.column_names + ["_row_number"], dtype=object)
    if set(_flat(doc[0]) if doc else contract.column_names) != set(contract.column_names):
        raise ContractError(f"{path.name}: reader and contract {contract.table} disagree on columns")
    return con.from_df(df.astype({c: "string" for c in contract.column_names}))
