"""The headline call-log figures, computed three ways on the same landed files.

* ``warehouse_figures``: read back from the published warehouse (``marts.metric_values``), i.e. what
  the full path (land, load, gate, dbt build, publish) produced;
* ``pandas_figures``: what an analyst would otherwise write: read every CSV with pandas, group by
  force and month;
* ``floor_figures``: one hand-written DuckDB query straight over the CSV files, no warehouse at all.

The definitions follow ``int_contact__monthly`` / ``int_metrics__contact`` (force feeds): per force
and calendar month of ``received_at``; waits are of answered calls only (answered_at - received_at,
on the instants the Europe/London wall-clock times stand for, as staging reads them: a call answered
in the repeated autumn hour waited seconds, not minus an hour);
"within target" counts answered calls whose wait is at most ``answer_target_seconds``, over all
calls offered on the line; percentages are 0-100; the 90th percentile is linear (``quantile_cont``,
pandas' default).

Each returns a long DataFrame ``metric_id, area_code, period_end, value``; ``compare`` says where two
of them differ beyond the stated tolerances.
"""

from __future__ import annotations

from pathlib import Path

METRICS = [
    "calls_101_received",
    "calls_101_answered",
    "calls_101_abandoned",
    "calls_101_callbacks",
    "calls_101_abandoned_pct",
    "calls_101_answered_within_target_pct",
    "calls_101_mean_wait_minutes",
    "calls_101_p90_wait_minutes",
    "calls_999_received",
    "calls_999_answered_within_10s_pct",
]
COUNTS = {m for m in METRICS if m.endswith(("_received", "_answered", "_abandoned", "_callbacks"))}
# Counts must match exactly; the derived figures (floating point, summed in different orders by
# different engines) to a relative 1e-9, which is far below the 2 decimal places anyone reads.
REL_TOL = 1e-9
COLUMNS = ["metric_id", "area_code", "period_end", "value"]


def floor_sql(csv_glob: str) -> str:
    """The floor: one query, one pass over the files, the whole headline mart."""
    from warehouse.ingest.local_time import utc_sql

    received = utc_sql("received_at")
    answered = utc_sql("answered_at", received)
    return f"""
    with calls as (
        select area_code, line, outcome, answer_target_seconds,
               last_day(received_at)::date as period_end,
               case when answered_at is not null then date_diff('second', {received}, {answered}) end as wait
        from read_csv('{csv_glob}', header = true, auto_detect = false, columns = {{
            'call_id': 'VARCHAR', 'area_code': 'VARCHAR', 'line': 'VARCHAR', 'received_at': 'TIMESTAMP',
            'answered_at': 'TIMESTAMP', 'ended_at': 'TIMESTAMP', 'outcome': 'VARCHAR',
            'call_back_at': 'TIMESTAMP', 'answer_target_seconds': 'INTEGER'}})
    ),
    m as (
        select area_code, period_end,
            count(*) filter (where line = '101') as r101,
            count(*) filter (where line = '101' and outcome = 'answered') as a101,
            count(*) filter (where line = '101' and outcome = 'abandoned') as ab101,
            count(*) filter (where line = '101' and outcome = 'call_back') as cb101,
            count(*) filter (where line = '101' and wait <= answer_target_seconds) as t101,
            avg(wait) filter (where line = '101') / 60.0 as mean101,
            quantile_cont(wait, 0.9) filter (where line = '101') / 60.0 as p90101,
            count(*) filter (where line = '999') as r999,
            count(*) filter (where line = '999' and wait <= 10) as t999
        from calls group by all
    )
    unpivot (select area_code, period_end,
                    r101::double as calls_101_received, a101::double as calls_101_answered,
                    ab101::double as calls_101_abandoned, cb101::double as calls_101_callbacks,
                    100.0 * ab101 / nullif(r101, 0) as calls_101_abandoned_pct,
                    100.0 * t101 / nullif(r101, 0) as calls_101_answered_within_target_pct,
                    mean101 as calls_101_mean_wait_minutes, p90101 as calls_101_p90_wait_minutes,
                    r999::double as calls_999_received,
                    100.0 * t999 / nullif(r999, 0) as calls_999_answered_within_10s_pct
             from m)
    on columns(* exclude (area_code, period_end)) into name metric_id value value
    """


def floor_figures(landing_dir: Path):
    import duckdb

    con = duckdb.connect()
    try:
        df = con.sql(floor_sql(str(Path(landing_dir) / "**" / "*.csv"))).df()
    finally:
        con.close()
    return df[COLUMNS]


def pandas_figures(files: list[Path]):
    """The analyst's version: pandas only, one DataFrame of every call."""
    import pandas as pd

    calls = pd.concat(
        [
            pd.read_csv(
                f,
                usecols=["area_code", "line", "received_at", "answered_at", "outcome", "answer_target_seconds"],
                dtype={"area_code": "string", "line": "string", "outcome": "string"},
                parse_dates=["received_at", "answered_at"],
            )
            for f in files
        ],
        ignore_index=True,
    )
    calls["period_end"] = calls["received_at"].dt.to_period("M").dt.to_timestamp(how="end").dt.normalize()
    received = _london(calls["received_at"], first=True)
    answered = _london(calls["answered_at"], first=True)
    later = _london(calls["answered_at"], first=False)  # the repeated hour's second occurrence
    calls["wait"] = (answered.where(~(answered < received), later) - received).dt.total_seconds()
    calls["within_target"] = calls["wait"] <= calls["answer_target_seconds"]
    calls["within_10s"] = calls["wait"] <= 10
    keys = ["area_code", "period_end"]
    c101 = calls[calls["line"] == "101"]
    g = c101.groupby(keys)
    out = pd.DataFrame(
        {
            "calls_101_received": g.size(),
            "calls_101_answered": g["outcome"].agg(lambda s: (s == "answered").sum()),
            "calls_101_abandoned": g["outcome"].agg(lambda s: (s == "abandoned").sum()),
            "calls_101_callbacks": g["outcome"].agg(lambda s: (s == "call_back").sum()),
            "within": g["within_target"].sum(),
            "calls_101_mean_wait_minutes": g["wait"].mean() / 60.0,
            "calls_101_p90_wait_minutes": g["wait"].quantile(0.9) / 60.0,
        }
    )
    out["calls_101_abandoned_pct"] = 100.0 * out["calls_101_abandoned"] / out["calls_101_received"]
    out["calls_101_answered_within_target_pct"] = 100.0 * out["within"] / out["calls_101_received"]
    g999 = calls[calls["line"] == "999"].groupby(keys)
    out = out.join(pd.DataFrame({"calls_999_received": g999.size(), "t999": g999["within_10s"].sum()}), how="outer")
    counts = [
        c
        for c in out.columns
        if c.startswith("calls_") and c.split("_")[-1] in ("received", "answered", "abandoned", "callbacks")
    ]
    out[counts] = out[counts].fillna(0)  # a force with 101 calls but no 999 calls that month has 0 of them
    out["calls_999_answered_within_10s_pct"] = (
        100.0 * out["t999"] / out["calls_999_received"].where(out["calls_999_received"] > 0)
    )
    long = (
        out[METRICS]
        .astype("float64")
        .reset_index()
        .melt(id_vars=keys, var_name="metric_id", value_name="value")
        .dropna(subset=["value"])
    )
    long["period_end"] = long["period_end"].dt.date
    return long[COLUMNS]


def _london(times, first: bool):
    """Naive Europe/London wall-clock times as UTC instants, read as the warehouse reads them
    (warehouse/ingest/local_time.py): a time in the repeated autumn hour is its first occurrence
    (``first``) or its second; one in the skipped spring hour is read on GMT."""
    import numpy as np
    import pandas as pd

    return times.dt.tz_localize(
        "Europe/London", ambiguous=np.full(len(times), first), nonexistent=pd.Timedelta(hours=1)
    ).dt.tz_convert("UTC")


def warehouse_figures(published_db: Path):
    import duckdb

    con = duckdb.connect(str(published_db), read_only=True)
    try:
        ids = ", ".join(f"'{m}'" for m in METRICS)
        return con.sql(
            f"select metric_id, area_code, period_end, value from marts.metric_values "
            f"where metric_id in ({ids}) and period_type = 'month' and area_code <> 'K04000001' "
            f"and is_sample"
        ).df()[COLUMNS]
    finally:
        con.close()


def compare(expected, found, label: str) -> list[str]:
    """Differences between two figure sets (missing rows, extra rows, values out of tolerance)."""
    import pandas as pd

    def keyed(df):
        df = df.copy()
        df["period_end"] = pd.to_datetime(df["period_end"]).dt.date
        return df.set_index(["metric_id", "area_code", "period_end"])["value"].astype("float64")

    a, b = keyed(expected), keyed(found)
    problems = []
    missing, extra = a.index.difference(b.index), b.index.difference(a.index)
    if len(missing):
        problems.append(f"{label}: {len(missing)} figure(s) missing, e.g. {list(missing[:3])}")
    if len(extra):
        problems.append(f"{label}: {len(extra)} unexpected figure(s), e.g. {list(extra[:3])}")
    both = a.index.intersection(b.index)
    x, y = a.loc[both], b.loc[both]
    exact = x.index.get_level_values("metric_id").isin(list(COUNTS))
    bad = (exact & (x != y)) | (~exact & ((x - y).abs() > REL_TOL * x.abs().clip(lower=1.0)))
    if bad.any():
        first = x[bad].index[:3]
        problems.append(
            f"{label}: {int(bad.sum())} figure(s) differ, e.g. " + "; ".join(f"{k}: {x[k]} vs {y[k]}" for k in first)
        )
    return problems
