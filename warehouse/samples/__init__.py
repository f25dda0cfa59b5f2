"""SAMPLE data generators for the force-internal feeds (``pcp sample``). Nothing here is real data.

Each module writes one feed's files in exactly its source contract
(``dbt_project/models/staging/force_feeds/_force_feeds__sources.yml``): one CSV per force per month,
named ``<feed>_<area code>_<YYYY-MM>.csv``. Every file is drawn from its own random stream seeded by
(seed, feed, force, month), so a month's bytes do not depend on the date range asked for: the same
seed gives the same bytes, and months can be generated, landed and loaded one at a time.

Volumes are sized from each force's population (``force_profiles.csv``: ONS mid-2020 population by
police force area, rounded to thousands, and the Home Office Special Constable headcount at
31 March 2022); ``scale`` shrinks the contact feeds (calls, digital contacts) for quick builds.
Thames Valley is calibrated to its published figures (see each feed's module and docs/force-feeds.md);
force totals are split across community safety partnerships by population (``csp_weights``).
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from warehouse.core import reference
from warehouse.core.config import paths

# feed name -> (module, raw table). The feed name is what `pcp sample <feed>` takes.
FEEDS = {
    "calls": ("calls", "force_feeds__calls"),
    "digital_contacts": ("digital_contacts", "force_feeds__digital_contacts"),
    "specials": ("specials", "force_feeds__specials_monthly"),
    "domestic_abuse": ("domestic_abuse", "force_feeds__domestic_abuse_monthly"),
    "hate_crime": ("hate_crime", "force_feeds__hate_crime_monthly"),
}

# The standard sample set `pcp sample defaults` lands (and `make run` builds): April 2019 (a year
# before the earliest milestone baselines the feeds serve) to the last month complete by the as-at date.
DEFAULT_FORCES = ("Thames Valley", "Leicestershire")
DEFAULT_START = dt.date(2019, 4, 1)
DEFAULT_SEED = 42
# Contact feeds (calls, digital contacts) at 1% of a realistic volume, so `make run` stays quick:
# about 1,700 call rows per force-month for Thames Valley. Rates, shares and waits are unaffected;
# counts are 1/100 of a force's (the metrics' labels and docs/force-feeds.md say so).
# `pcp sample calls --scale 1` gives full volume.
DEFAULT_CONTACT_SCALE = 0.01


def default_end(as_at: dt.date | None = None) -> dt.date:
    """Last day of the last month complete on ``as_at`` (default today): a month's figures exist
    only once it has ended, so a pack as at any date has every month up to it."""
    as_at = as_at or dt.date.today()
    return as_at.replace(day=1) - dt.timedelta(days=1)


DEFAULT_END = default_end()


@dataclass(frozen=True)
class Force:
    area_code: str
    area_name: str
    population: int
    specials_headcount: int


@lru_cache(maxsize=1)
def forces() -> dict[str, Force]:
    """Every force, by area code, with the figures the generators size their volumes from."""
    with open(Path(__file__).with_name("force_profiles.csv"), newline="") as fh:
        return {
            r["area_code"]: Force(
                r["area_code"], r["area_name"], int(r["population_2020"]), int(r["specials_headcount_2022"])
            )
            for r in csv.DictReader(fh)
        }


def find_force(name_or_code: str) -> Force:
    code = reference.area_code_of(name_or_code)  # the one force-name resolver (force_aliases.csv)
    if code in forces():
        return forces()[code]
    raise KeyError(
        f"unknown force {name_or_code!r}: give a force name (e.g. 'Thames Valley') or an "
        f"ONS force area code (e.g. E23000029)"
    )


@lru_cache(maxsize=64)
def csp_weights(area_code: str) -> tuple[list[str], np.ndarray]:
    """Each community safety partnership's share of its force's volume: its resident population
    (ONS mid-2020, current geography) over the force's.

    The feed contract keys partnerships by their December 2016 codes. A 2016 district that has since
    merged (the four Buckinghamshire districts, one unitary authority since April 2020) gets an equal
    share of its successor's population: ONS no longer publishes the old districts separately.
    """
    lad_csp: dict[str, str] = {}
    with open(paths().reference / "lad16_csp16_pfa16.csv", newline="", encoding="utf-8-sig") as fh:
        for r in csv.DictReader(fh):
            if r["PFA16CD"] == area_code:
                lad_csp[r["LAD16CD"]] = r["CSP16CD"]
    successor: dict[str, str] = {}
    with open(paths().reference / "lad16_lad21_successors.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            successor[r["lad16_code"]] = r["lad21_code"]
    population: dict[str, float] = {}
    pop_file = paths().bundled_sources / "population" / "ons_mid_year_population_by_local_authority_2001_2020.csv"
    with open(pop_file, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["year"] == "2020":
                population[r["code"].strip()] = float(r["population"])  # the file pads some codes
    merged: dict[str, int] = {}
    for lad in lad_csp:
        merged[successor.get(lad, lad)] = merged.get(successor.get(lad, lad), 0) + 1
    by_csp: dict[str, float] = {}
    for lad, csp in lad_csp.items():
        now = successor.get(lad, lad)
        if lad in population:  # the district itself still in the mid-2020 geography (merged later, e.g. 2021)
            share = population[lad]
        elif now in population:  # merged by 2020 (Buckinghamshire): an equal share of its successor
            share = population[now] / merged[now]
        else:
            raise KeyError(f"{pop_file.name}: no mid-2020 population for {lad} or its successor {now}")
        by_csp[csp] = by_csp.get(csp, 0.0) + share
    codes = sorted(by_csp)
    w = np.array([by_csp[c] for c in codes])
    return codes, w / w.sum()


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of every month that starts on or before ``end``, from ``start``'s month."""
    out, m = [], dt.date(start.year, start.month, 1)
    while m <= end:
        out.append(m)
        m = next_month(m)
    return out


def next_month(m: dt.date) -> dt.date:
    return dt.date(m.year + m.month // 12, m.month % 12 + 1, 1)


def financial_year(m: dt.date) -> int:
    """2020 for April 2020 to March 2021 (the '2020/21' year)."""
    return m.year if m.month >= 4 else m.year - 1


def rng(seed: int, feed: str, area_code: str, month: dt.date | None = None) -> np.random.Generator:
    """The random stream of one file (or, without ``month``, of one force's whole history)."""
    parts = [seed, zlib.crc32(feed.encode()), zlib.crc32(area_code.encode())]
    if month is not None:
        parts += [month.year, month.month]
    return np.random.default_rng(parts)


def file_name(feed: str, area_code: str, month: dt.date) -> str:
    return f"{feed}_{area_code}_{month:%Y-%m}.csv"


def arrival_date(month: dt.date) -> dt.date:
    """When a force would send a month's file: the 7th of the following month (the landing folder)."""
    return next_month(month).replace(day=7)


def _module(feed: str):
    if feed not in FEEDS:
        raise KeyError(f"unknown feed {feed!r}; choose one of {', '.join(FEEDS)}")
    return importlib.import_module(f"warehouse.samples.{FEEDS[feed][0]}")


def write_feed(
    feed: str, force_names: list[str], start: dt.date, end: dt.date, seed: int, out: Path, scale: float = 1.0
) -> Iterator[Path]:
    """Write one file per force per month into ``out`` (atomically); yields each path as written."""
    mod = _module(feed)
    chosen = [find_force(n) for n in force_names]
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for force in chosen:
        for m in months(start, end):
            dest = out / file_name(feed, force.area_code, m)
            tmp = dest.with_name("." + dest.name + ".tmp")
            mod.write_month(tmp, force, m, seed, scale)
            os.replace(tmp, dest)
            yield dest


def land_defaults(seed: int = DEFAULT_SEED, end: dt.date | None = None) -> list[Path]:
    """Generate the standard sample set (April 2019 to ``end``, default the last complete month) and
    land each file in var/landing/<raw table>/<arrival date>/.

    Deterministic: landing twice rewrites the same bytes, which the loader then skips by checksum."""
    from warehouse.ingest.landing import land_file

    landed = []
    staging = paths().var / "samples" / "incoming"
    for feed, (_, table) in FEEDS.items():
        scale = DEFAULT_CONTACT_SCALE if feed in ("calls", "digital_contacts") else 1.0
        for f in write_feed(
            feed, list(DEFAULT_FORCES), DEFAULT_START, end or default_end(), seed, staging / feed, scale
        ):
            month = dt.date.fromisoformat(f.stem.rsplit("_", 1)[1] + "-01")
            landed.append(land_file(f, table, arrival_date(month), move=True))
    return landed
