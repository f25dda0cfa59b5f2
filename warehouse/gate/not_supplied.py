"""Forces a national publication leaves out (issue 14, kind 9).

Home Office tables really do omit a force some years (hate crime: Greater Manchester 2019/20,
Devon and Cornwall 2022/23, the Metropolitan Police 2024/25; the September 2025 workforce extract
has no Kent). Such a file is not corrupt: the gate loads the forces present and says which are
"not supplied"; the marts list them (``marts.fct_not_supplied``) and form no England and Wales
total for that period (dbt macro ``all_forces_present``: one rule for every domain). The packs
print the force's own "not supplied" lines.

A contract allows it with ``distinct_per_period: {column: <force column>, equals: 43, min: N}``:
fewer than 43 (but at least N) forces in a period is accepted and reported here; more than 43, or
an unknown force name, is still refused.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from warehouse.core import reference
from warehouse.core.config import paths


@lru_cache(maxsize=1)
def forces() -> dict[str, str]:
    """The 43 territorial police force areas: area code -> area name (``forces.csv``)."""
    with open(paths().reference / "forces.csv", newline="", encoding="utf-8-sig") as fh:
        return {r["area_code"]: r["area_name"] for r in csv.DictReader(fh)}


def absent(con, contract, where: str) -> dict[str, list[str]]:
    """Period -> area codes of the forces with no row in it, for a contract whose per-period check
    expects every force (``equals: 43``) but allows fewer (``min``). The column holds force names
    (``force_name: true``, resolved by warehouse/core/reference.py) or area codes."""
    chk = contract.checks.get("distinct_per_period") or {}
    if chk.get("equals") != len(forces()) or "min" not in chk:
        return {}
    col = chk["column"]
    is_name = next((c.meta.get("force_name") for c in contract.columns if c.name == col), False)
    got = con.execute(
        f'select "{contract.period_column}"::varchar, list(distinct "{col}") '
        f"from raw.{contract.table} where {where} group by 1 order by 1"
    ).fetchall()
    out = {}
    for period, values in got:
        present = {reference.aliases().get(v) for v in values} if is_name else set(values)
        missing = sorted(set(forces()) - present)
        if missing:
            out[period] = missing
    return out


def note(file: str, contract, missing: dict[str, list[str]]) -> str:
    """The build output's line, e.g. ``not supplied: f.csv: year 2022-23: Devon and Cornwall
    (E23000035); England and Wales total not formed``."""
    return "; ".join(
        f"not supplied: {file}: {contract.period_column} {p}: "
        + ", ".join(f"{forces()[c]} ({c})" for c in codes)
        + " (England and Wales total not formed)"
        for p, codes in missing.items()
    )
