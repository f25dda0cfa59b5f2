"""SAMPLE digital contacts (contract force_feeds__digital_contacts): daily counts by channel.

Per 1,000 residents a month at full scale: online reports 4, webchat 2 (growing 2% a month),
email 0.8, and WhatsApp, launched in January 2022, ramping up to 1.5 over a year - the digital
contact the PCC's strategy promised.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from warehouse.samples import Force, next_month, rng

FEED = "digital_contacts"
COLUMNS = ["date", "area_code", "channel", "contacts"]
CHANNELS = ("webchat", "whatsapp", "online_report", "email")
WHATSAPP_LAUNCH = dt.date(2022, 1, 1)


def per_1000_a_month(channel: str, month: dt.date) -> float:
    k = (month.year - 2021) * 12 + month.month - 4  # months since April 2021
    if channel == "webchat":
        return 2.0 * 1.02**k
    if channel == "whatsapp":
        if month < WHATSAPP_LAUNCH:
            return 0.0
        since = (month.year - WHATSAPP_LAUNCH.year) * 12 + month.month - WHATSAPP_LAUNCH.month + 1
        return 1.5 * min(1.0, since / 12)
    return {"online_report": 4.0, "email": 0.8}[channel]


def write_month(path: Path, force: Force, month: dt.date, seed: int, scale: float = 1.0) -> int:
    g = rng(seed, FEED, force.area_code, month)
    days = (next_month(month) - month).days
    rows = 0
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for d in range(days):
            day = month + dt.timedelta(days=d)
            for channel in CHANNELS:
                mean = per_1000_a_month(channel, month) * force.population / 1000 / 30.4 * scale
                if channel == "whatsapp" and day < WHATSAPP_LAUNCH:
                    continue  # no row before the channel existed
                w.writerow([day.isoformat(), force.area_code, channel, int(g.poisson(mean))])
                rows += 1
    return rows
