"""Local authority geography by year: which district codes exist in each geography year, and the
police force area each belongs to (issue 14, kind 8).

ONS publishes every population edition on one geography (the back series recast onto it), and
that geography changes: 348 districts in the December 2016 lookup, then mergers on 1 April 2019
(Dorset, Suffolk, Somerset West and Taunton), 2020 (Buckinghamshire), 2021 (Northamptonshire) and
2023 (Cumberland, Westmorland and Furness, North Yorkshire, Somerset). The geography years are
built from three reference seeds, nowhere else:

* ``lad16_csp16_pfa16.csv``: the 2016 districts and their police force areas;
* ``lad16_lad21_successors.csv`` and ``lad21_lad23_successors.csv``: each abolished district, its
  successor and the date (every merger stays within one force area, so areas carry over).

``geographies()`` -> ``{year: {lad_code: area_code}}`` for 2016, 2019, 2020, 2021 and 2023
(348, 339, 336, 331 and 318 districts). The gate checks a population file against them: a code in
no geography year is a bad value naming file, row, column and value (``check_lad_codes``); each
year's codes must be exactly one geography year's set, else the file is refused naming the year,
the nearest geography year and the codes missing or extra (``per_period_failures``).
"""

from __future__ import annotations

import csv
from functools import lru_cache

from warehouse.core import reference
from warehouse.core.config import paths

NBSP = "\u00a0"  # two Northamptonshire codes carry one in the ONS file; staging trims it too


def _rows(name: str) -> list[dict[str, str]]:
    with open(paths().reference / f"{name}.csv", newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def geographies() -> dict[int, dict[str, str]]:
    """Geography year -> {district code: police force area code}."""
    current = {r["LAD16CD"]: r["PFA16CD"] for r in _rows("lad16_csp16_pfa16")}
    changes = [(r["effective"], r["lad16_code"], r["lad21_code"]) for r in _rows("lad16_lad21_successors")]
    changes += [(r["effective"], r["lad21_code"], r["lad23_code"]) for r in _rows("lad21_lad23_successors")]
    out = {2016: dict(current)}
    for effective in sorted({c[0] for c in changes}):
        for _, old, new in (c for c in changes if c[0] == effective):
            current[new] = current.pop(old) if old in current else current[new]
        out[int(effective[:4])] = dict(current)
    return out


def area_of(lad_code: str) -> str:
    """The police force area of a district code of any geography year (KeyError if none has it)."""
    for year in sorted(geographies(), reverse=True):
        if lad_code in geographies()[year]:
            return geographies()[year][lad_code]
    raise KeyError(unknown_code(lad_code))


def all_codes() -> set[str]:
    return set().union(*geographies().values())


def unknown_code(value: str) -> str:
    years = ", ".join(f"{y} ({len(g)})" for y, g in sorted(geographies().items()))
    return (
        f"{value!r} is a district code of no local authority geography year the warehouse knows "
        f"({years} districts); if ONS has changed the geography again, add the changes to "
        f"seeds/reference (like lad21_lad23_successors.csv)"
    )


def _trimmed(col: str) -> str:
    return f"rtrim(\"{col}\", chr(160) || ' ')"


def check_lad_codes(con, pending: list[tuple[int, str, str]], contract_of) -> dict[int, list[str]]:
    """Quarantine rows whose district code (columns with ``lad_geography: true``) is in no geography
    year, naming file, row, column and value. Returns the gate's messages per load (ONS tables
    allow no bad row, so the file is then refused with these messages)."""
    return reference.check_known(
        con, pending, contract_of, "lad_geography", sorted(all_codes()), unknown_code, value_sql=_trimmed("{col}")
    )


def per_period_failures(con, contract, load_id: int, file: str, where: str) -> list[str]:
    """File-level check (contract ``checks: lad_geography_per_period: {column: code}``): each
    period's district codes are exactly one geography year's. Names the nearest geography year and
    the codes missing from it or not in it."""
    col = contract.checks["lad_geography_per_period"]["column"]
    got = con.execute(
        f'select "{contract.period_column}"::varchar, list(distinct {_trimmed(col)}) from raw.{contract.table} '
        f"where {where} group by 1 order by 1"
    ).fetchall()
    out = []
    for period, codes in got:
        codes = set(codes)
        if any(codes == set(g) for g in geographies().values()):
            continue
        year, geo = min(geographies().items(), key=lambda yg: (len(codes ^ set(yg[1])), -yg[0]))
        missing, extra = sorted(set(geo) - codes), sorted(codes - set(geo))
        out.append(
            f"{file}: {contract.period_column} {period}: its {len(codes)} district codes ({col}) are no "
            f"geography year's set; nearest is {year} geography ({len(geo)} districts): "
            + "; ".join(
                p
                for p in (
                    f"missing {', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}" if missing else "",
                    f"not in it {', '.join(extra[:10])}{' ...' if len(extra) > 10 else ''}" if extra else "",
                )
                if p
            )
        )
    return out
