"""SAMPLE 101 and 999 call log (contract force_feeds__calls): one row per call offered to a force.

Vectorised with numpy and written a week at a time through pyarrow's CSV writer, so memory is
bounded by one week of one force's calls whatever the volume (a national benchmark at ``scale=1``
is tens of millions of rows).

The queue model, per call: a potential wait (log-normal), the caller's patience (exponential) and,
on 101, a call-back offer after 3 minutes that some callers take. Answered if the wait runs out
first, abandoned if patience does, call_back if the offer is taken.

Thames Valley is calibrated to what was published (the sample stays SAMPLE data): 999 calls answered
within 10 seconds 83% over November 2021 to April 2022 and 76% in August 2022; the 101 average wait
9.6 minutes in August 2022 and about 7 minutes over 2022. Outside those months the profiles are
invented: steady before, and after April 2023 (the Crimefighters Strategy's "reducing 101 waiting
times") 101 waits falling 3% a month to 3 minutes and 999 back to 86%. Other forces: a 101 median
of 6 minutes until April 2021, then 2.5% shorter each month (never below 90 s); 999 about 87%.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from warehouse.samples import Force, next_month, rng

FEED = "calls"
LONDON = "Europe/London"  # the wall clock a force's telephony export writes (contract timezone)
COLUMNS = [
    "call_id",
    "area_code",
    "line",
    "received_at",
    "answered_at",
    "ended_at",
    "outcome",
    "call_back_at",
    "answer_target_seconds",
]
# Calls offered per 1,000 residents per month at full scale (roughly what forces report).
CALLS_PER_1000 = {"101": 30.0, "999": 14.0}
TARGET_SECONDS = {"101": 300, "999": 10}  # 101: a 5-minute force target (sample); 999: national 10 s
CALL_BACK_OFFER_SECONDS = 180
CALL_BACK_TAKE_UP = 0.2
BLOCK_DAYS = 7
# Calls by hour of day (busy late morning to evening).
HOUR_WEIGHTS = np.array([2, 1.5, 1, 1, 1, 1.5, 3, 5, 6, 6.5, 7, 7, 7, 7, 6.5, 6.5, 7, 7, 6.5, 6, 5, 4, 3.5, 2.5])
HOUR_WEIGHTS = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
SCHEMA = pa.schema(
    [
        ("call_id", pa.string()),
        ("area_code", pa.string()),
        ("line", pa.string()),
        ("received_at", pa.timestamp("s")),
        ("answered_at", pa.timestamp("s")),
        ("ended_at", pa.timestamp("s")),
        ("outcome", pa.string()),
        ("call_back_at", pa.timestamp("s")),
        ("answer_target_seconds", pa.int64()),
    ]
)


THAMES_VALLEY = "E23000029"
# Thames Valley 101 mean wait to answer (minutes) in 2022: about 7 over the year, 9.6 in August.
TV_101_MEAN_WAIT_2022 = [5.8, 5.9, 6.0, 6.3, 6.8, 7.6, 8.8, 9.6, 8.0, 6.6, 6.1, 5.9]
# Thames Valley 999 calls answered within 10 s (% of calls), 83% Nov 2021 - Apr 2022, 76% Aug 2022.
TV_999_WITHIN_10S = {
    (2021, 11): 83,
    (2021, 12): 83,
    (2022, 1): 83,
    (2022, 2): 83,
    (2022, 3): 83,
    (2022, 4): 83,
    (2022, 5): 81,
    (2022, 6): 79,
    (2022, 7): 77,
    (2022, 8): 76,
    (2022, 9): 78,
    (2022, 10): 80,
    (2022, 11): 82,
    (2022, 12): 83,
    (2023, 1): 84,
    (2023, 2): 84,
    (2023, 3): 85,
}
WAIT_SIGMA = {"101": 0.9, "999": 0.8}
ABANDON_999 = 0.02  # about 2% of 999 calls are abandoned (patience runs out first), so never answered


def _months_since(month: dt.date, year: int, m: int) -> int:
    return (month.year - year) * 12 + month.month - m


def tv_101_mean_wait_minutes(month: dt.date) -> float:
    """Thames Valley's calibrated 101 mean wait to answer, minutes."""
    if month.year == 2022:
        return TV_101_MEAN_WAIT_2022[month.month - 1]
    if month < dt.date(2021, 4, 1):
        return 5.0
    if month < dt.date(2022, 1, 1):
        return 5.0 + 0.8 * _months_since(month, 2021, 4) / 9  # drifting up to 2022's level
    if month < dt.date(2023, 4, 1):
        return 5.9
    return max(3.0, 5.9 * 0.97 ** _months_since(month, 2023, 3))


@lru_cache(maxsize=512)
def _mean_to_median_101(mean_minutes: float) -> float:
    """The log-normal median (s) whose answered calls wait ``mean_minutes`` on average in this queue
    model (busy-hour factor, patience, call-back offer): solved by bisection on a fixed simulation."""
    g = np.random.default_rng(0)
    z, busy_u, patience_u, take_u = (
        g.standard_normal(40_000),
        g.choice(24, 40_000, p=HOUR_WEIGHTS),
        g.exponential(1.0, 40_000),
        g.random(40_000),
    )
    busy = 1.0 + 0.3 * (HOUR_WEIGHTS[busy_u] * 24 - 1)
    patience = patience_u * 2400.0

    def mean_answered(median: float) -> float:
        wait = np.exp(np.log(median) + WAIT_SIGMA["101"] * z) * busy
        cb = (wait > CALL_BACK_OFFER_SECONDS) & (patience > CALL_BACK_OFFER_SECONDS) & (take_u < CALL_BACK_TAKE_UP)
        answered = ~cb & (wait <= patience)
        return float(wait[answered].mean()) / 60

    lo, hi = 10.0, 3600.0
    for _ in range(40):
        mid = (lo * hi) ** 0.5
        lo, hi = (mid, hi) if mean_answered(mid) < mean_minutes else (lo, mid)
    return (lo * hi) ** 0.5


def median_wait_101(month: dt.date, area_code: str = "") -> float:
    """Seconds. Thames Valley: the median that gives its calibrated mean wait. Others: 6 minutes until
    April 2021, then 2.5% shorter each month, never below 90 s."""
    if area_code == THAMES_VALLEY:
        return _mean_to_median_101(round(tv_101_mean_wait_minutes(month), 3))
    k = max(0, _months_since(month, 2021, 4))
    return max(90.0, 360.0 * 0.975**k)


def median_wait_999(month: dt.date, area_code: str = "") -> float:
    """Seconds: the log-normal median that answers the calibrated share of calls within 10 s."""
    if area_code != THAMES_VALLEY:
        return 4.0
    if month < dt.date(2021, 11, 1):
        share = 88
    else:
        share = TV_999_WITHIN_10S.get((month.year, month.month), 86)
    from statistics import NormalDist

    z = NormalDist().inv_cdf(min(0.999, share / 100 / (1 - ABANDON_999)))
    return float(np.exp(np.log(10.5) - WAIT_SIGMA["999"] * z))  # waits are rounded to whole seconds


def _seasonal(month: dt.date) -> float:
    return 1.0 + 0.08 * np.cos((month.month - 7) / 12 * 2 * np.pi)  # a summer peak


def _block(
    g: np.random.Generator,
    line: str,
    start: dt.datetime,
    days: int,
    daily_mean: float,
    month: dt.date,
    area_code: str = "",
) -> dict[str, np.ndarray]:
    """All calls on one line for ``days`` days from ``start``, sorted by arrival."""
    n = int(g.poisson(daily_mean * days))
    day = g.integers(0, days, n)
    hour = g.choice(24, n, p=HOUR_WEIGHTS)
    second = g.integers(0, 3600, n)
    offset = day * 86400 + hour * 3600 + second
    # Arrivals are drawn on the local clock (hour of day); their instants come from London time
    # (_local_instants), and in order of instant.
    instant = _local_instants(np.datetime64(start, "s") + offset.astype("timedelta64[s]"))
    order = np.argsort(instant, kind="stable")
    instant, hour = instant[order], hour[order]
    received = _wall_clock(instant)
    if line == "101":
        busy = 1.0 + 0.3 * (HOUR_WEIGHTS[hour] * 24 - 1)  # longer queues in the busy hours
        wait = g.lognormal(np.log(median_wait_101(month, area_code)), WAIT_SIGMA["101"], n) * busy
        patience = g.exponential(2400.0, n)
        takes_call_back = (
            (wait > CALL_BACK_OFFER_SECONDS) & (patience > CALL_BACK_OFFER_SECONDS) & (g.random(n) < CALL_BACK_TAKE_UP)
        )
    else:
        wait = g.lognormal(np.log(median_wait_999(month, area_code)), WAIT_SIGMA["999"], n)
        patience = g.exponential(240.0, n)
        takes_call_back = np.zeros(n, dtype=bool)
    wait = np.round(wait).astype("int64")
    patience = np.round(patience).astype("int64")
    answered = ~takes_call_back & (wait <= patience)
    abandoned = ~takes_call_back & ~answered
    handle = np.round(g.lognormal(np.log(360.0 if line == "101" else 240.0), 0.6, n)).astype("int64")
    left_queue = np.where(takes_call_back, CALL_BACK_OFFER_SECONDS + 20, np.where(abandoned, patience, wait))
    ended = instant + (left_queue + np.where(answered, handle, 0)).astype("timedelta64[s]")
    call_back_made = takes_call_back & (g.random(n) < 0.92)
    call_back_delay = np.round(g.exponential(5400.0, n)).astype("int64") + 300
    # Durations are added to instants, then written on the wall clock: a call that waits across the
    # autumn change is answered in the repeated hour (e.g. received 01:59:52 BST, answered 01:00:03 GMT).
    return {
        "received_at": received,
        "answered_at": np.where(answered, _wall_clock(instant + wait.astype("timedelta64[s]")), np.datetime64("NaT")),
        "answered": answered,
        "ended_at": _wall_clock(ended),
        "outcome": np.where(answered, "answered", np.where(abandoned, "abandoned", "call_back")),
        "call_back_at": np.where(
            call_back_made, _wall_clock(ended + call_back_delay.astype("timedelta64[s]")), np.datetime64("NaT")
        ),
        "call_back_made": call_back_made,
    }


def _local_instants(clock: np.ndarray) -> np.ndarray:
    """UTC instants (datetime64[s], naive) of London wall-clock times drawn on a 24-hour clock. A time in
    the hour the clock skips in spring (which a real export never shows) is the instant an hour later
    on the clock that was skipped to (01:30 drawn: 02:30 BST), as warehouse/ingest/local_time.py reads
    it; a time in the repeated autumn hour is its first occurrence (BST), so each local hour of the
    25-hour day keeps its share of arrivals."""
    import pandas as pd

    local = pd.DatetimeIndex(clock).tz_localize(
        LONDON, ambiguous=np.ones(len(clock), dtype=bool), nonexistent=pd.Timedelta(hours=1)
    )
    return local.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[s]")


def _wall_clock(instants: np.ndarray) -> np.ndarray:
    """London wall-clock times (datetime64[s], no offset: how a force's export writes them) of UTC
    instants; never a time in the skipped spring hour."""
    import pandas as pd

    return (
        pd.DatetimeIndex(instants)
        .tz_localize("UTC")
        .tz_convert(LONDON)
        .tz_localize(None)
        .to_numpy()
        .astype("datetime64[s]")
    )


def write_month(path: Path, force: Force, month: dt.date, seed: int, scale: float = 1.0) -> int:
    """Write one force's calls for one month to ``path``; returns the number of rows."""
    g = rng(seed, FEED, force.area_code, month)
    days_in_month = (next_month(month) - month).days
    rows = 0
    options = pacsv.WriteOptions(include_header=True, quoting_style="none")
    with pacsv.CSVWriter(str(path), SCHEMA, write_options=options) as writer:
        for line in ("101", "999"):
            daily = CALLS_PER_1000[line] * force.population / 1000 / 30.4 * _seasonal(month) * scale
            for first in range(0, days_in_month, BLOCK_DAYS):
                days = min(BLOCK_DAYS, days_in_month - first)
                start = dt.datetime.combine(month, dt.time()) + dt.timedelta(days=first)
                b = _block(g, line, start, days, daily, month, force.area_code)
                n = len(b["received_at"])
                seq = np.arange(rows + 1, rows + n + 1)
                # (benchmark engineer) np.char.zfill fails on an empty array: a tiny scale can give a
                # week with no calls (e.g. City of London 999 at 1% volume)
                ids = (
                    np.char.add(f"{force.area_code}-{month:%Y%m}-{line}-", np.char.zfill(seq.astype(str), 7))
                    if n
                    else np.array([], dtype=str)
                )
                writer.write_table(
                    pa.table(
                        {
                            "call_id": pa.array(ids.tolist() if n else [], pa.string()),
                            "area_code": pa.array(np.full(n, force.area_code), pa.string()),
                            "line": pa.array(np.full(n, line), pa.string()),
                            "received_at": pa.array(b["received_at"], pa.timestamp("s")),
                            "answered_at": pa.array(b["answered_at"], pa.timestamp("s"), mask=~b["answered"]),
                            "ended_at": pa.array(b["ended_at"], pa.timestamp("s")),
                            "outcome": pa.array(b["outcome"].astype(str), pa.string()),
                            "call_back_at": pa.array(b["call_back_at"], pa.timestamp("s"), mask=~b["call_back_made"]),
                            "answer_target_seconds": pa.array(np.full(n, TARGET_SECONDS[line]), pa.int64()),
                        },
                        schema=SCHEMA,
                    )
                )
                rows += n
    return rows
