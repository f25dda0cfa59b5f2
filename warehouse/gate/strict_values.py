"""Strict reading of numbers: the one rule for which text an integer or double column accepts.

DuckDB's casts are lenient (``'251.6'::BIGINT`` is 252, ``'1e3'::BIGINT`` is 1000, ``'Infinity'``
is a double): a count published as 252 when the file said 251.6 is a silent change. So:
- integer: whole numbers written in digits, optionally signed (``-5``, ``0042``); not ``251.6``,
  ``1e3``, ``251.0``; from a reader that already gives numbers, a whole number;
- double: a finite number (``12.5``, ``-3``, ``1.5e2``) no larger in magnitude than
  ``input.max_abs_number`` (warehouse/core/reliability.yml); not ``Infinity``, ``NaN`` or ``1e308``;
- other types: whatever casts to the type (dates are checked by the cast: ``2022-02-30`` fails).
"""

from __future__ import annotations

from warehouse.core.contracts import Column
from warehouse.core.limits import input_limit

INTEGER_TEXT = r"^\s*[+-]?[0-9]+\s*$"


def bad_sql(col: Column, found_type: str = "VARCHAR") -> str:
    """SQL that is true for a non-null value of ``col`` that its contract type must refuse;
    ``found_type``: the DuckDB type the reader gives the column."""
    q = '"' + col.name.replace('"', '""') + '"'
    text = found_type.upper() == "VARCHAR"
    if col.data_type == "integer":
        if text:
            return f"(not regexp_matches({q}, '{INTEGER_TEXT}') or try_cast({q} as {col.duckdb_type}) is null)"
        as_double = f"try_cast({q} as double)"
        return f"({as_double} is null or not isfinite({as_double}) or {as_double} <> trunc({as_double}))"
    if col.data_type == "double":
        d = f"try_cast({q} as double)"
        return f"({d} is null or not isfinite({d}) or abs({d}) > {input_limit('max_abs_number'):.17g})"
    return f"try_cast({q} as {col.duckdb_type}) is null"


def expected_form(col: Column) -> str:
    if col.data_type == "integer":
        return "a whole number in digits, e.g. 251"
    if col.data_type == "double":
        return f"a finite number up to {input_limit('max_abs_number'):.0e} in magnitude, e.g. 251.6"
    if col.data_type == "date":
        return "a date YYYY-MM-DD"
    if col.data_type == "timestamp":
        return "a date and time YYYY-MM-DD HH:MM:SS"
    return f"a {col.data_type} value"
