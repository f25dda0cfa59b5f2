"""SAMPLE Special Constabulary duty (contract force_feeds__specials_monthly): one row per Special
per month in post, with duty hours by type.

Each force has one roster for its whole history (drawn from the force's own random stream, so
joined_on and left_on agree from month to month): its Home Office headcount at 31 March 2022 in
post in 2015, about 2% joining and 2% leaving a month. Hours per month are drawn per Special and
month: about 20 operational hours each, so Thames Valley's roster of about 279 (March 2022) works
about 5,600 hours a month, well below the 13,000 hours (75 FTE) the PCC's report of 24 March 2023
sets as the five-year target for a Special Constabulary of about 500. From April 2023 (the Citizens
in Policing project) Thames Valley recruits 1% more a month than it loses (SAMPLE: the growth is
invented to show the milestone machinery working, not a forecast).
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path

import numpy as np

from warehouse.samples import Force, next_month, rng

FEED = "specials"
COLUMNS = [
    "month",
    "area_code",
    "special_id",
    "special_rank",
    "joined_on",
    "left_on",
    "operational_hours",
    "training_hours",
    "admin_hours",
]
ROSTER_START = dt.date(2015, 1, 1)
ROSTER_MONTHS = 12 * 21  # to December 2035
MONTHLY_TURNOVER = 0.02
OPERATIONAL_HOURS_EACH = 20.0
# Extra joiners a month (share of the starting headcount) from a month on, by force.
RECRUITMENT_DRIVE = {"E23000029": (dt.date(2023, 4, 1), 0.01)}
RANKS = [
    "special constable",
    "special sergeant",
    "special inspector",
    "special chief inspector",
    "special superintendent",
]
RANK_SHARES = [0.85, 0.09, 0.04, 0.015, 0.005]


@lru_cache(maxsize=64)
def roster(area_code: str, headcount: int, seed: int) -> dict[str, np.ndarray]:
    """Every Special the force ever has: id, rank, joined_on, left_on (NaT while serving), propensity."""
    g = rng(seed, FEED, area_code)
    start = np.datetime64(ROSTER_START, "D")
    # Already serving at the roster start: joined up to ten years before.
    joined = [start - g.integers(1, 3650, headcount).astype("timedelta64[D]")]
    for k in range(ROSTER_MONTHS):
        first = np.datetime64(ROSTER_START, "M") + np.timedelta64(k, "M")
        drive_from, extra = RECRUITMENT_DRIVE.get(area_code, (None, 0.0))
        rate = MONTHLY_TURNOVER + (extra if drive_from and first >= np.datetime64(drive_from, "M") else 0.0)
        n = int(g.poisson(headcount * rate))
        days = (first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")
        joined.append(first.astype("datetime64[D]") + g.integers(0, days.astype(int), n).astype("timedelta64[D]"))
    joined_on = np.concatenate(joined)
    n = len(joined_on)
    service_days = np.round(g.exponential(30.4 / MONTHLY_TURNOVER, n)).astype("int64")
    left_on = np.maximum(joined_on, start) + service_days.astype("timedelta64[D]")
    return {
        "special_id": np.array([f"{area_code}-SC{i:05d}" for i in range(1, n + 1)]),
        "rank": g.choice(RANKS, n, p=RANK_SHARES),
        "joined_on": joined_on,
        "left_on": left_on,
        "propensity": g.gamma(2.0, 0.5, n),  # some Specials do far more hours than others
    }


def write_month(path: Path, force: Force, month: dt.date, seed: int, scale: float = 1.0) -> int:
    r = roster(force.area_code, force.specials_headcount, seed)
    g = rng(seed, FEED, force.area_code, month)
    first, after = np.datetime64(month, "D"), np.datetime64(next_month(month), "D")
    days = (after - first).astype(int)
    in_post = (r["joined_on"] < after) & (r["left_on"] >= first)
    idx = np.flatnonzero(in_post)
    # Share of the month served (joined or left part-way through).
    start = np.maximum(r["joined_on"][idx], first)
    end = np.minimum(r["left_on"][idx] + np.timedelta64(1, "D"), after)
    served = (end - start).astype(int) / days
    n = len(idx)
    operational = OPERATIONAL_HOURS_EACH * r["propensity"][idx] * g.gamma(4.0, 0.25, n) * served
    new = (first - r["joined_on"][idx]).astype(int) < 183  # initial training in the first six months
    training = np.where(new, g.gamma(4.0, 5.0, n), g.gamma(2.0, 2.0, n)) * served
    admin = g.gamma(2.0, 1.5, n) * served
    left_known = r["left_on"][idx] < after  # a leaving date is only known once it has passed
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for j, i in enumerate(idx):
            w.writerow(
                [
                    month.isoformat(),
                    force.area_code,
                    r["special_id"][i],
                    r["rank"][i],
                    str(r["joined_on"][i]),
                    str(r["left_on"][i]) if left_known[j] else "",
                    _quarter_hours(operational[j]),
                    _quarter_hours(training[j]),
                    _quarter_hours(admin[j]),
                ]
            )
    return n


def _quarter_hours(h: float) -> str:
    return f"{round(min(h, 400.0) * 4) / 4:.2f}"
