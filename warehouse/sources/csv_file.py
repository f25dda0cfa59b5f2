"""The plain CSV reader: UTF-8, comma-separated, one header row whose names match the contract."""

from __future__ import annotations

from pathlib import Path

import duckdb

from warehouse.contracts import Contract
from warehouse.errors import ContractError
from warehouse.sources import register


def check_header(path: Path, found: list[str], contract: Contract, expected: list[str] | None = None) -> None:
    """``expected`` defaults to the contract's column names (readers that rename pass the file's own)."""
    expected = expected or contract.column_names
    if found == expected:
        return
    missing = [c for c in expected if c not in found]
    extra = [c for c in found if c not in expected]
    parts = []
    if missing:
        parts.append(f"missing column(s) {missing}")
    if extra:
        parts.append(f"unexpected column(s) {extra}")
    if not parts:
        parts.append(f"columns in the wrong order {found}")
    raise ContractError(
        f"{path.name}: header (row 0) does not match contract {contract.table}: {'; '.join(parts)}. "
        f"Expected exactly: {', '.join(expected)}"
    )


@register("csv")
def read_csv(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract) -> duckdb.DuckDBPyRelation:
    rel, header = read_text(con, path, contract)
    check_header(path, header, contract)
    cols = ", ".join(f'c{i} as "{name}"' for i, name in enumerate(header))
    return rel.query("t", f"select {cols}, row_number() over () as _row_number from t")


def read_text(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract) -> tuple[duckdb.DuckDBPyRelation, list[str]]:
    """Every field as text in columns c0, c1, ... (data rows only, empty field = NULL), and the header."""
    if path.stat().st_size == 0:
        raise ContractError(f"{path.name}: the file is empty (expected a header row and data for {contract.table})")
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # not just a multi-byte character cut by the 64 KiB window
            line = head[: e.start].count(b"\n") + 1
            raise ContractError(
                f"{path.name}: line {line}: byte 0x{head[e.start]:02x} at offset {e.start} is not UTF-8 "
                f"(expected UTF-8 text; re-save the file as UTF-8)"
            ) from None
    try:
        rel = con.sql(
            "select * from read_csv(?, header=false, skip=1, delim=',', quote='\"', escape='\"', "
            "auto_detect=false, columns=?, null_padding=false, strict_mode=true)",
            params=[str(path), {f"c{i}": "VARCHAR" for i in range(_width(path))}],
        )
    except duckdb.Error as e:
        raise ContractError(f"{path.name}: not a readable CSV as contract {contract.table} expects: {e}") from None
    return rel, _header(path)


def _header(path: Path) -> list[str]:
    import csv

    with open(path, newline="", encoding="utf-8-sig") as fh:
        try:
            return [h.strip() for h in next(csv.reader(fh))]
        except StopIteration:
            return []


def _width(path: Path) -> int:
    return max(1, len(_header(path)))
