"""SAMPLE hate crime monthly counts (contract force_feeds__hate_crime_monthly) by force, community
safety partnership and strand, with outcomes assigned in the month by outcome group.

Calibrated to Thames Valley's 2020/21 performance report: hate crime reports up while hate
incidents fell (crimes +8% a year, non-crime incidents -10% a year from 2019/20). Level: about 1.8
hate crimes per 1,000 residents a year in 2019/20 (England and Wales 2018/19: 103,379 crimes); the
strand mix of the Home Office 2018/19 bulletin (race 74%, sexual orientation 14%, disability 8%,
religion 8%, transgender 2%), so about 6% of crimes carry two strands.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

from warehouse.samples import Force, csp_weights, financial_year, rng
from warehouse.samples.domestic_abuse import seasonal

FEED = "hate_crime"
COLUMNS = [
    "month",
    "area_code",
    "csp_code",
    "strand",
    "incidents",
    "crimes",
    "outcome_charge_summons",
    "outcome_out_of_court",
    "outcome_evidential_difficulties",
    "outcome_victim_does_not_support",
    "outcome_other",
]
STRANDS = ("race", "religion", "sexual_orientation", "disability", "transgender")
STRAND_SHARES = np.array([0.74, 0.08, 0.14, 0.08, 0.02])  # of crimes; sums to 1.06 (multi-strand crimes)
CRIMES_PER_1000_A_YEAR = 1.8
INCIDENTS_PER_CRIME_2019 = 0.5
OUTCOME_RATES = {
    "outcome_charge_summons": 0.12,
    "outcome_out_of_court": 0.05,
    "outcome_evidential_difficulties": 0.25,
    "outcome_victim_does_not_support": 0.20,
    "outcome_other": 0.38,
}


def write_month(path: Path, force: Force, month: dt.date, seed: int, scale: float = 1.0) -> int:
    g = rng(seed, FEED, force.area_code, month)
    codes, weights = csp_weights(force.area_code)
    years = financial_year(month) - 2019
    crimes_mean = CRIMES_PER_1000_A_YEAR * force.population / 1000 / 12 * 1.08**years * seasonal(month) * weights
    incidents_mean = crimes_mean / 1.08**years * INCIDENTS_PER_CRIME_2019 * 0.90**years
    rows = []
    for i, code in enumerate(codes):
        crimes = int(g.poisson(crimes_mean[i]))
        incidents = int(g.poisson(incidents_mean[i]))
        # Each crime (incident) has a main strand; some carry a second one too.
        crimes_by_strand = g.multinomial(crimes, STRAND_SHARES / STRAND_SHARES.sum())
        crimes_by_strand += g.binomial(crimes, (STRAND_SHARES.sum() - 1) * STRAND_SHARES / STRAND_SHARES.sum())
        incidents_by_strand = g.multinomial(incidents, STRAND_SHARES / STRAND_SHARES.sum())
        rows.append(_row(g, month, force, code, "all", incidents, crimes))
        for s, strand in enumerate(STRANDS):
            rows.append(_row(g, month, force, code, strand, int(incidents_by_strand[s]), int(crimes_by_strand[s])))
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(rows)
    return len(rows)


def _row(
    g: np.random.Generator, month: dt.date, force: Force, csp: str, strand: str, incidents: int, crimes: int
) -> list:
    outcomes = [int(g.poisson(crimes * rate)) for rate in OUTCOME_RATES.values()]
    return [month.isoformat(), force.area_code, csp, strand, incidents, crimes, *outcomes]
