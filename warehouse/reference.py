"""The reference tables (``seeds/reference/``) as the gate reads them: valid codes, and force names.

* ``codes("lad16_csp16_pfa16.CSP16CD")``: the codes a column may hold, taken from the ONS lookup
  the project bundles (a contract says ``reference: <table>.<column>`` instead of a hand-written
  pattern, so Welsh community safety partnerships, ``W14...``, are valid because ONS says so).
* ``resolve_force(name)``: the one force-name resolver. Every reader that meets a force *name*
  (police.uk "Reported by" / "Falls within", Home Office and BBC tables) maps it to its ONS police
  force area code through ``force_aliases.csv`` (one alias table: names, renames and spellings) at
  load; an unknown name is refused at the gate with the nearest known names.
"""

from __future__ import annotations

import csv
import difflib
import re
from functools import lru_cache

from warehouse.config import paths


@lru_cache(maxsize=16)
def codes(ref: str) -> tuple[str, ...]:
    """Distinct values of ``<table>.<column>`` in ``seeds/reference/<table>.csv``, sorted."""
    table, column = ref.split(".", 1)
    with open(paths().reference / f"{table}.csv", newline="", encoding="utf-8-sig") as fh:
        return tuple(sorted({r[column] for r in csv.DictReader(fh) if r[column]}))


def _key(name: str) -> str:
    """Case, spacing, '&' and punctuation do not make a different force."""
    s = name.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", s).strip()


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Normalised alias -> area code, from force_aliases.csv and forces.csv (area and Home Office names)."""
    out: dict[str, str] = {}
    ref = paths().reference
    with open(ref / "forces.csv", newline="", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            out[_key(r["area_name"])] = r["area_code"]
            out[_key(r["home_office_name"])] = r["area_code"]
    with open(ref / "force_aliases.csv", newline="", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            out[_key(r["alias"])] = r["area_code"]
    return out


def resolve_force(name: str | None) -> str | None:
    """The ONS police force area code for a force name, or None if the name is not known."""
    if name is None:
        return None
    return aliases().get(_key(name))


def nearest_forces(name: str, n: int = 3) -> list[str]:
    """The known names closest to an unknown one (for the gate's message)."""
    with open(paths().reference / "force_aliases.csv", newline="", encoding="utf-8-sig") as fh:
        names = {r["alias"] for r in csv.DictReader(fh)}
    with open(paths().reference / "forces.csv", newline="", encoding="utf-8-sig") as fh:
        names |= {r["area_name"] for r in csv.DictReader(fh)}
    by_key = {_key(x): x for x in sorted(names)}
    return [by_key[k] for k in difflib.get_close_matches(_key(name), list(by_key), n=n, cutoff=0.3)]
