"""The plain CSV reader: UTF-8 (a BOM is fine), comma-separated, one header row whose names match the
contract; ``.csv.gz`` files are read the same way after the whole gzip stream is checked (a truncated
or corrupt download is refused before anything is loaded)."""

from __future__ import annotations

import contextlib
import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.core import safe_messages
from warehouse.core.contracts import Contract
from warehouse.core.errors import ContractError
from warehouse.ingest.readers import register


def check_header(path: Path, found: list[str], contract: Contract, expected: list[str] | None = None) -> None:
    """``expected`` defaults to the contract's column names (readers that rename pass the file's own)."""
    expected = expected or contract.column_names
    if found == expected:
        return
    said = safe_messages.header_names(contract, found)  # a missing header puts a data row here
    if len(found) == 1:
        for name, d in (("semicolon", ";"), ("tab", "\t"), ("pipe", "|")):
            if d in found[0]:
                raise ContractError(
                    f"{path.name}: header (row 0) is one column {said[0][:80]!r}: the file looks "
                    f"{name}-delimited; expected comma-separated columns {', '.join(expected)}"
                )
    title = _header_further_down(path, expected)
    if title:
        raise ContractError(
            f"{path.name}: header (row 0) is {said[:4]}...: {title}; expected the first line to be "
            f"the column names {', '.join(expected)} (remove title or merged-header rows)"
        )
    missing = [c for c in expected if c not in found]
    extra = [s for c, s in zip(found, said) if c not in expected]
    parts = []
    if missing:
        parts.append(f"missing column(s) {missing}")
    if extra:
        parts.append(f"unexpected column(s) {extra}")
    if missing == expected:
        parts.append("the first line looks like data: is the header row missing?")
    if not parts:
        parts.append(f"columns in the wrong order {said}")
    raise ContractError(
        f"{path.name}: header (row 0) does not match contract {contract.table}: {'; '.join(parts)}. "
        f"Expected exactly: {', '.join(expected)}"
    )


@dataclass(frozen=True)
class Batch:
    """How the loader reads many files of one contract at once (load.load_files), for readers that can:
    ``check(path, contract)`` makes the reader's cheap per-file checks and raises what the reader would;
    ``scan(con, paths, contract)`` is a context manager giving one relation over all the files with the
    contract's columns as the reader gives them, plus ``_file_index`` and ``_scan_row`` (see scan_many)."""

    check: Callable[[Path, Contract], None]
    scan: Callable[
        [duckdb.DuckDBPyConnection, list[Path], Contract], contextlib.AbstractContextManager[duckdb.DuckDBPyRelation]
    ]


@register("csv")
def read_csv(con: duckdb.DuckDBPyConnection, path: Path, contract: Contract) -> duckdb.DuckDBPyRelation:
    rel, header = read_text(con, path, contract)
    check_header(path, header, contract)
    cols = ", ".join(f'c{i} as "{name}"' for i, name in enumerate(header))
    return rel.query("t", f"select {cols}, row_number() over () as _row_number from t")


def _open(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _check_gzip(path: Path, contract: Contract) -> None:
    """Read the whole stream: gzip's CRC and length trailer catch truncation and corruption."""
    try:
        with gzip.open(path, "rb") as fh:
            while fh.read(1 << 20):
                pass
    except (EOFError, OSError, zlib.error) as e:
        raise ContractError(
            f"{path.name}: truncated or corrupt gzip file ({e}); expected a complete .csv.gz "
            f"for {contract.table}. Nothing was loaded: fetch the file again"
        ) from None


# DuckDB's reading of a file's data rows: one way for one file (read_text) and for many (scan_many).
SCAN = (
    "read_csv(?, header=false, skip=1, delim=',', quote='\"', escape='\"', auto_detect=false, columns=?, "
    "null_padding=false, strict_mode=true, compression='auto')"
)


def check_text(path: Path, contract: Contract) -> list[str]:
    """The checks made before DuckDB reads a file (cheap: its size, the whole gzip stream, the UTF-8 of
    its head), raising ContractError; returns the header."""
    if path.stat().st_size == 0:
        raise ContractError(f"{path.name}: the file is empty (expected a header row and data for {contract.table})")
    if path.suffix == ".gz":
        _check_gzip(path, contract)
    with _open(path) as fh:
        head = fh.read(64 * 1024)
    if not head.strip():
        raise ContractError(f"{path.name}: the file is empty (expected a header row and data for {contract.table})")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 4:  # not just a multi-byte character cut by the 64 KiB window
            line = head[: e.start].count(b"\n") + 1
            column = safe_messages.column_at(path, line, contract.column_names, unicode=True) if line > 1 else None
            where = f"line {line} (data row {line - 1}), column {column}" if column else f"line {line}"
            raise ContractError(
                f"{path.name}: {where}: byte 0x{head[e.start]:02x} at offset {e.start} is not UTF-8 "
                f"(expected UTF-8 text; re-save the file as UTF-8)"
            ) from None
    return _header(path)


def read_text(
    con: duckdb.DuckDBPyConnection, path: Path, contract: Contract
) -> tuple[duckdb.DuckDBPyRelation, list[str]]:
    """Every field as text in columns c0, c1, ... (data rows only, empty field = NULL), and the header."""
    header = check_text(path, contract)
    try:
        rel = con.sql(
            f"select * from {SCAN}", params=[str(path), {f"c{i}": "VARCHAR" for i in range(max(1, len(header)))}]
        )
    except duckdb.Error as e:
        raise ContractError(safe_messages.read_error(e, path, contract)) from None
    return rel, header


def check_file(path: Path, contract: Contract) -> None:
    """Everything read_csv checks before DuckDB reads the data rows (raises what read_csv raises)."""
    check_header(path, check_text(path, contract), contract)


@contextlib.contextmanager
def scan_many(
    con: duckdb.DuckDBPyConnection, paths: list[Path], contract: Contract
) -> Iterator[duckdb.DuckDBPyRelation]:
    """All files in one scan, for files that passed check_file (so their header is the contract's):
    the contract's columns as text, ``_file_index`` (position in ``paths``), ``_group_first`` and
    ``_scan_row``, from which the loader derives each file's ``_row_number``.

    ``row_number() over ()`` numbers rows in scan order (DuckDB keeps insertion order, as the
    single-file reader relies on) but runs on one thread. So the files are split into one contiguous
    group per DuckDB thread, each numbered on its own (``_scan_row`` = 1, 2, ... through the group's
    files in order; ``_group_first`` = index of the group's first file) and the groups are scanned in
    parallel (``union all``): the pseudonymising hash and the insert above run on every core."""
    cols = ", ".join(f'c{i} as "{name}"' for i, name in enumerate(contract.column_names))
    threads = int(con.execute("select current_setting('threads')").fetchall()[0][0])
    k = max(1, min(threads, len(paths)))
    bounds = [len(paths) * g // k for g in range(k + 1)]
    types = {f"c{i}": "VARCHAR" for i in range(len(contract.column_names))}
    branches, params = [], []
    for lo, hi in zip(bounds, bounds[1:]):
        branches.append(
            f"(select {cols}, file_index + {lo} as _file_index, {lo} as _group_first, "
            f"row_number() over () as _scan_row from {SCAN})"
        )
        params += [[str(p) for p in paths[lo:hi]], types]
    yield con.sql(" union all ".join(branches), params=params)


read_csv.many = Batch(check_file, scan_many)


def _header(path: Path) -> list[str]:
    import csv

    with _open(path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as fh:
        try:
            return [h.strip() for h in next(csv.reader(fh))]
        except StopIteration:
            return []


def _header_further_down(path: Path, expected: list[str]) -> str | None:
    """A spreadsheet export with a title or merged-header rows: say on which line the header really is."""
    import csv

    with _open(path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="") as fh:
        for i, row in enumerate(csv.reader(fh)):
            if i > 10:
                return None
            if i and [h.strip() for h in row] == expected:
                return f"the column names are on line {i + 1}, under {i} title or merged-header line(s)"
    return None
