"""The reference tables (``seeds/reference/``) as the gate reads them: valid codes, and force names.

* ``codes("lad16_csp16_pfa16.CSP16CD")``: the codes a column may hold, taken from the ONS lookup
  the project bundles (a contract says ``reference: <table>.<column>`` instead of a hand-written
  pattern, so Welsh community safety partnerships, ``W14...``, are valid because ONS says so).
* ``resolve_force(name)``: the one force-name resolver, over one alias table (``force_aliases.csv``:
  names, renames such as Hampshire and Isle of Wight Constabulary, and spellings). Every contract
  column that holds a force *name* (police.uk "Reported by" / "Falls within", Home Office and BBC
  tables) says ``force_name: true``; the gate checks it at load (``check_force_names``) and
  staging maps it through the same table (seed ``force_aliases``). An unknown name is refused at
  the gate naming file, row, value and the nearest known names, so it never reaches dbt. Readers
  (``home_office_workforce_tables.force_codes``) and what people type (``area_code_of``: pcp
  report, pcp sample) use the same table.
"""

from __future__ import annotations

import csv
import difflib
from functools import lru_cache

from warehouse.core.config import paths


@lru_cache(maxsize=16)
def codes(ref: str) -> tuple[str, ...]:
    """Distinct values of ``<table>.<column>`` in ``seeds/reference/<table>.csv``, sorted."""
    table, column = ref.split(".", 1)
    with open(paths().reference / f"{table}.csv", newline="", encoding="utf-8-sig") as fh:
        return tuple(sorted({r[column] for r in csv.DictReader(fh) if r[column]}))


@lru_cache(maxsize=1)
def aliases() -> dict[str, str | None]:
    """Force name as publishers write it -> ONS police force area code (None: a known force that has
    no police force area, e.g. British Transport Police). The same table dbt joins on (seed
    force_aliases), so what the gate accepts is exactly what staging maps."""
    with open(paths().reference / "force_aliases.csv", newline="", encoding="utf-8-sig") as fh:
        return {r["alias"]: (r["area_code"] or None) for r in csv.DictReader(fh)}


def resolve_force(name: str) -> str | None:
    """The area code of a force name. Raises KeyError (with the nearest known names) if unknown."""
    try:
        return aliases()[name]
    except KeyError:
        raise KeyError(unknown_force(name)) from None


def area_code_of(text: str) -> str | None:
    """The area code a person means by ``text`` (a ``pcp report`` or ``pcp sample`` argument): any
    name or spelling in the alias table, in any case and spacing, or an area code the table maps to.
    None if it is neither (the caller says what it expected)."""
    key = " ".join(text.split()).lower()
    by_lower = {a.lower(): code for a, code in aliases().items() if code}
    if key in by_lower:
        return by_lower[key]
    return key.upper() if key.upper() in by_lower.values() else None


def unknown_force(name: str) -> str:
    near = difflib.get_close_matches(name, list(aliases()), n=3, cutoff=0.5) or difflib.get_close_matches(
        name.lower(), [a.lower() for a in aliases()], n=3, cutoff=0.3
    )
    return (
        f"unknown force name {name!r} (nearest known: {', '.join(near) or 'none'}); if it is a force's "
        f"new name or another spelling, add it to seeds/reference/force_aliases.csv"
    )


def check_force_names(con, pending: list[tuple[int, str, str]], contract_of) -> dict[int, list[str]]:
    """Quarantine rows whose force name (columns with ``force_name: true``) the alias table does not
    know, naming file, row, column, value and the nearest known names. Returns the gate's messages
    per load (the quarantine limit then decides: police.uk and Home Office tables allow none)."""
    return check_known(con, pending, contract_of, "force_name", list(aliases()), unknown_force)


def check_known(
    con,
    pending: list[tuple[int, str, str]],
    contract_of,
    flag: str,
    known: list[str],
    explain,
    value_sql: str = '"{col}"',
) -> dict[int, list[str]]:
    """Quarantine rows of columns marked ``<flag>: true`` whose value (``value_sql`` of it) is not in
    ``known``; ``explain(value)`` says why. Returns the gate's messages per load, one per value,
    naming file, column and rows. One query per table and column for all its pending loads (a
    national call log is hundreds of loads; a scan of raw each cost seconds)."""
    from warehouse.gate import quarantine

    out: dict[int, list[str]] = {}
    by_table: dict[str, dict[int, str]] = {}
    for load_id, table, file in pending:
        by_table.setdefault(table, {})[int(load_id)] = file
    for table, files in by_table.items():
        for c in contract_of(table).columns:
            if not c.meta.get(flag):
                continue
            found = con.execute(
                f'select _load_id, _row_number, "{c.name}" from raw.{table} '
                f"where _load_id between $lo and $hi and _load_id in (select unnest($ids)) "
                f'and "{c.name}" is not null '
                f"and {value_sql.format(col=c.name)} not in (select unnest($known::varchar[])) order by 1, 2",
                {"ids": sorted(files), "lo": min(files), "hi": max(files), "known": known},
            ).fetchall()
            for load_id, rows in quarantine.by_load(
                found
            ).items():  # a load's messages: its columns in order, then values
                _say_unknown(quarantine, con, out, load_id, table, files[load_id], c.name, rows, explain)
    return out


def _say_unknown(quarantine, con, out: dict, load_id: int, table: str, file: str, col: str, rows, explain) -> None:
    """Quarantine one load's unknown values of one column and add one message per value."""
    quarantine.record(con, load_id, table, file, [(r, col, v, explain(v)) for r, v in rows])
    for v in dict.fromkeys(v for _, v in rows):
        at = [r for r, x in rows if x == v]
        out.setdefault(load_id, []).append(
            f"{file}: column {col!r}, row(s) {', '.join(map(str, at[:5]))}{' ...' if len(at) > 5 else ''}: {explain(v)}"
        )
