"""SAMPLE domestic abuse monthly counts (contract force_feeds__domestic_abuse_monthly) by force and
community safety partnership, with outcomes assigned in the month by outcome group.

Calibrated to Thames Valley's 2020/21 performance report (panel minutes, 2020/21 Q2): domestic
abuse up 21% on the year (lockdown) and justice outcomes for victims up 35%; and to its published
totals, 30,375 domestic abuse-related crimes in 2022/23 and 27,609 in 2023/24, about 6% charged or
summonsed (TV_CRIMES). Other forces: about 15 domestic abuse-related crimes per 1,000 residents a
year in 2019/20 (the England and Wales rate). Incidents not recorded as crimes 40% of crimes;
arrests 30% of crimes; victim does not support action the largest outcome group (HMIC PEEL 2016 on
Thames Valley). Force totals are split across partnerships by population.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

from warehouse.samples import Force, csp_weights, financial_year, rng

FEED = "domestic_abuse"
COLUMNS = [
    "month",
    "area_code",
    "csp_code",
    "incidents",
    "crimes",
    "arrests",
    "outcome_charge_summons",
    "outcome_out_of_court",
    "outcome_evidential_difficulties",
    "outcome_victim_does_not_support",
    "outcome_other",
]
CRIMES_PER_1000_A_YEAR = 15.0
# Level of domestic abuse-related crime by financial year, 2019/20 = 1 (2020/21: +21%).
LEVEL = {2017: 0.93, 2018: 0.96, 2019: 1.00, 2020: 1.21, 2021: 1.24, 2022: 1.26}
# Justice outcomes (charge/summons and out-of-court) by financial year, 2019/20 = 1 (2020/21: +35%).
JUSTICE = {2017: 0.95, 2018: 0.97, 2019: 1.00, 2020: 1.35, 2021: 1.38, 2022: 1.40}
# Thames Valley domestic abuse-related crimes by financial year: 2022/23 and 2023/24 published; the
# years before follow LEVEL back from 2022/23 (2020/21 +21%); later years drift down 1% a year.
TV_CRIMES = {2022: 30_375, 2023: 27_609}
THAMES_VALLEY = "E23000029"
# Outcomes assigned in a month per crime recorded, at 2019/20 rates (charge/summons: about 6% of
# crimes from 2020/21, after the justice-outcome rise).
OUTCOME_RATES = {
    "outcome_charge_summons": 0.054,
    "outcome_out_of_court": 0.035,
    "outcome_evidential_difficulties": 0.12,
    "outcome_victim_does_not_support": 0.42,
    "outcome_other": 0.30,
}


def annual_crimes(force: Force, fy: int) -> float:
    """Expected domestic abuse-related crimes in the force's financial year ``fy`` (2022 = 2022/23)."""
    if force.area_code == THAMES_VALLEY:
        if fy in TV_CRIMES:
            return TV_CRIMES[fy]
        if fy > max(TV_CRIMES):
            return TV_CRIMES[max(TV_CRIMES)] * 0.99 ** (fy - max(TV_CRIMES))
        return TV_CRIMES[2022] * _index(LEVEL, fy) / _index(LEVEL, 2022)
    return CRIMES_PER_1000_A_YEAR * force.population / 1000 * _index(LEVEL, fy)


def _index(table: dict[int, float], fy: int) -> float:
    if fy in table:
        return table[fy]
    edge = min(table) if fy < min(table) else max(table)
    return table[edge] * 1.01 ** (fy - edge)  # gentle drift outside the calibrated years


def seasonal(month: dt.date) -> float:
    return 1.0 + 0.08 * np.cos((month.month - 7) / 12 * 2 * np.pi) + (0.05 if month.month in (12, 1) else 0.0)


SEASONAL_MEAN = float(np.mean([seasonal(dt.date(2020, m, 1)) for m in range(1, 13)]))  # so a year sums to its total


def write_month(path: Path, force: Force, month: dt.date, seed: int, scale: float = 1.0) -> int:
    g = rng(seed, FEED, force.area_code, month)
    codes, weights = csp_weights(force.area_code)
    fy = financial_year(month)
    crimes_mean = annual_crimes(force, fy) / 12 * seasonal(month) / SEASONAL_MEAN * weights
    justice_uplift = _index(JUSTICE, fy) / _index(LEVEL, fy)  # justice outcomes per crime
    crimes = g.poisson(crimes_mean)
    cols = {
        "incidents": g.poisson(crimes_mean * 0.40),
        "crimes": crimes,
        "arrests": g.poisson(crimes_mean * 0.30),
    }
    for name, rate in OUTCOME_RATES.items():
        uplift = justice_uplift if name in ("outcome_charge_summons", "outcome_out_of_court") else 1.0
        cols[name] = g.poisson(crimes_mean * rate * uplift)
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for i, code in enumerate(codes):
            w.writerow([month.isoformat(), force.area_code, code, *(int(cols[c][i]) for c in COLUMNS[3:])])
    return len(codes)
