"""What a message may say about a bad row: file, row, column and the kind of problem, never the raw row.

DuckDB's error texts repeat what they could not read: a CSV error quotes the whole line ("Original
Line: ..."), a cast error the value. Those texts would reach ``meta.loads.message`` (published), the
alerts, the build output, ``pcp status`` and the Airflow task log. This module is the one place
that decides what may be said:

* ``read_error(e, path, contract)``: an error met reading a file, as its line and data row, the
  column (found by re-reading that one line) and the kind of problem with what was expected. Built
  from scratch: nothing of DuckDB's text is copied but its fixed phrases.
* ``value(contract, column, v)``: a found value, echoed (``'Surry'``: a force name, an area code, a
  date makes the fix obvious) unless the contract column says ``person_level: true`` in its meta
  (call references, Specials' HR numbers, record ids, free text), then withheld.
* ``scrub(text)``: the last line of defence at every sink (stored messages, alerts, logs, CLI,
  Airflow): drops DuckDB's echoes of input from any text (the "Original Line" block, the line above
  a ``^`` pointer, quoted values in DuckDB's error lines).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

WITHHELD = "<withheld: person-level column>"

# DuckDB's error class prefixes ("Conversion Error: ..."), as its exception types name them.
_DUCKDB_ERROR = re.compile(
    r"\b(?:Invalid Input|Invalid|Conversion|Constraint|Out of Range|Mismatch Type|Binder|Parser|Catalog|IO|"
    r"Internal|INTERNAL|Not implemented|Dependency|Transaction|TransactionContext|Serialization|Sequence|"
    r"Syntax|Unknown Type|Decimal|Type|Executor|Expression) Error:"
)
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_WITH_VALUE = re.compile(r"\bwith value (?!<withheld>)\S+")
_POINTER = re.compile(r"^\s*\^+\s*$")

# DuckDB's CSV reader: the fixed phrase of each kind of problem, and how it reads to whoever fixes the file.
_CSV_KINDS: list[tuple[re.Pattern, str]] = [
    (
        re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)"),
        "{found} fields where the contract has {expected} columns (expected exactly one field per column, "
        "commas inside a value quoted)",
    ),
    (
        re.compile(r"unterminated quote"),
        'a quoted field is never closed (expected a closing " before the end of the line)',
    ),
    (
        re.compile(r"Invalid unicode|not utf-8 encoded", re.I),
        "bytes that are not UTF-8 (expected UTF-8 text; re-save the file as UTF-8)",
    ),
    (
        re.compile(r"Maximum line size of (\d+) bytes exceeded"),
        "a line longer than DuckDB's maximum line size (expected one record per line)",
    ),
]


def person_level(contract: Any, column: str | None) -> bool:
    """Whether ``column`` of ``contract`` holds person-level values (``person_level: true`` in its meta)."""
    if contract is None or column is None:
        return False
    for c in getattr(contract, "columns", ()):
        if c.name == column:
            return bool(c.meta.get("person_level"))
    return False


def any_person_level(contract: Any) -> bool:
    return any(c.meta.get("person_level") for c in getattr(contract, "columns", ()))


def value(contract: Any, column: str | None, v: Any) -> str:
    """``repr`` of a found value for a message, or WITHHELD for a person-level column."""
    return WITHHELD if person_level(contract, column) else repr(v)


def stored_value(contract: Any, column: str | None, v: Any) -> Any:
    """A found value as ``meta.quarantine`` may keep it: None for a person-level column; for a row-level
    check over several columns (a dict column -> value), without the person-level ones."""
    if isinstance(v, dict):
        return {k: x for k, x in v.items() if not person_level(contract, k)}
    return None if person_level(contract, column) else v


_NAME_LIKE = re.compile(r"^[A-Za-z_][A-Za-z0-9_ ()%/-]{0,60}$")


def header_names(contract: Any, names: list[str]) -> list[str]:
    """Header fields for a message. With person-level columns in the contract, a field that does not
    look like a column name (a file whose header row is missing starts with a data row: a call
    reference, say) is withheld."""
    if not any_person_level(contract):
        return list(names)
    return [n if _NAME_LIKE.match(n) and not re.search(r"\d{3}", n) else "<withheld>" for n in names]


def read_error(e: BaseException, path: Path, contract: Any) -> str:
    """``path`` could not be read as ``contract`` says: where (line, data row, column) and what kind
    of problem, with what was expected; never the row itself. ``e``: DuckDB's error (or a reader's)."""
    text = str(e)
    head = f"{path.name}: could not be read as {contract.table}"
    m = re.search(r"CSV Error on Line: (\d+)", text)
    if m:
        line = int(m.group(1))
        kind, column = _csv_kind(text, path, line, contract)
        where = f"line {line} (data row {line - 1})" + (f", column {column}" if column else "")
        return f"{head}: {where}: {kind}"
    return f"{head}: {_kind_of(text, type(e).__name__, contract)}"


def _csv_kind(text: str, path: Path, line: int, contract: Any) -> tuple[str, str | None]:
    names = list(getattr(contract, "column_names", []))
    for pattern, says in _CSV_KINDS:
        m = pattern.search(text)
        if not m:
            continue
        if "{found}" in says:
            return says.format(expected=m.group(1), found=m.group(2)), None
        return says, column_at(path, line, names, unicode="UTF-8" in says)
    return f"DuckDB's CSV reader could not parse this line ({_class(text)})", None


def _kind_of(text: str, exc_name: str, contract: Any) -> str:
    """Any other error: its class and first line, with values withheld if the contract has person-level
    columns (a DuckDB error does not say which column a value came from)."""
    first = next((ln for ln in text.strip().splitlines() if ln.strip()), exc_name)
    first = scrub(first)
    if any_person_level(contract):
        first = _QUOTED.sub("<withheld>", first)
    return f"{first[:300]} ({exc_name})" if exc_name not in first else first[:300]


def _class(text: str) -> str:
    m = _DUCKDB_ERROR.search(text)
    return m.group(0).rstrip(":") if m else "error"


def column_at(path: Path, line: int, names: list[str], unicode: bool) -> str | None:
    """The column holding the problem on file line ``line`` (1 = header): the field with the first
    non-UTF-8 byte, or the one whose opening quote is never closed. Reads up to that line only."""
    opener = gzip.open if path.suffix == ".gz" else open
    raw = None
    try:
        with opener(path, "rb") as fh:
            for i, ln in enumerate(fh, start=1):
                if i == line:
                    raw = ln[: 1 << 20]
                    break
    except (OSError, EOFError):
        return None
    if raw is None:
        return None
    at = None
    if unicode:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as err:
            at = err.start
    field, quoted, opened = 0, False, None
    for i, b in enumerate(raw):
        if at is not None and i == at:
            break
        if b == 0x22:  # "
            quoted = not quoted
            opened = field if quoted else None
        elif b == 0x2C and not quoted:  # ,
            field += 1
    if at is None:
        if opened is None:
            return None
        field = opened
    return names[field] if field < len(names) else f"field {field + 1} (after the last column)"


def scrub_stored(con) -> int:
    """Scrub ``meta.loads.message`` written before messages were made safe (a working file from an
    older version), so the next publish carries none of it. Returns the number of messages changed."""
    rows = con.execute(
        "select load_id, message from meta.loads where message like '%Original Line:%' or message like '% Error: %'"
    ).fetchall()
    fixed = [(scrub(text), load_id) for load_id, text in rows if scrub(text) != text]
    if fixed:
        con.executemany("update meta.loads set message = ? where load_id = ?", fixed)
    return len(fixed)


def scrub(text: str | None) -> str | None:
    """``text`` without DuckDB's echoes of input: the "Original Line" block of a CSV error (up to the
    error's own phrase), a line shown above a ``^`` pointer, and quoted values (or ``value X``) in
    DuckDB's error lines. Other text (the pipeline's own messages, which echo only echo-safe values)
    is left as it is."""
    if not text:
        return text
    lines = text.split("\n")
    out: list[str] = []
    skipping = False
    for i, ln in enumerate(lines):
        if ln.lstrip().startswith("Original Line:"):
            skipping = True
            continue
        if skipping:
            if any(p.search(ln) for p, _ in _CSV_KINDS) or ln.startswith(("Possible", "  file = ")):
                skipping = False
            else:
                continue
        if i + 1 < len(lines) and _POINTER.match(lines[i + 1]):
            continue  # DuckDB shows the value (or the SQL) it failed on above a ^ pointer
        if _POINTER.match(ln):
            continue
        if _DUCKDB_ERROR.search(ln):
            ln = _WITH_VALUE.sub("with value <withheld>", _QUOTED.sub("<withheld>", ln))
        out.append(ln)
    return "\n".join(out)
