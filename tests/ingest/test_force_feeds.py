"""The SAMPLE force-internal feeds through the real pipeline: landed files -> raw -> gate -> dbt ->
marts.metric_values, checked against an independent pandas computation from the same files;
pseudonymisation; restated and out-of-order months; a corrupted file per domain."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from conftest import PROJECT, file_digest, run_pcp
from warehouse import samples
from warehouse.ingest import pseudonymise
from warehouse.samples import FEEDS, write_feed

TV, LEICS = "E23000029", "E23000021"
FTE_HOURS = 40 * 52 / 12


def _landed(var: Path, feed: str) -> list[Path]:
    return sorted((var / "landing" / FEEDS[feed][1]).rglob("*.csv"))


def _latest_per_file_name(files: list[Path]) -> list[Path]:
    """One file per force and month: the one in the latest arrival folder (what the marts should use)."""
    chosen: dict[str, Path] = {}
    for f in sorted(files, key=lambda p: p.parent.name):
        chosen[f.name] = f
    return list(chosen.values())


def _key(name: str) -> tuple[str, pd.Timestamp]:
    _, area, month = name[:-4].rsplit("_", 2)
    return area, pd.Timestamp(month + "-01") + pd.offsets.MonthEnd(0)


def _local(ts: pd.Series, after: pd.Series | None = None) -> pd.Series:
    """The contract's rule (docs/force-feeds.md), in pandas: Europe/London wall-clock times; in the
    repeated hour the first occurrence unless that is before ``after``; the missing hour read as GMT."""
    first = ts.dt.tz_localize("Europe/London", ambiguous=np.ones(len(ts), bool), nonexistent=pd.Timedelta("1h"))
    if after is None:
        return first
    second = ts.dt.tz_localize("Europe/London", ambiguous=np.zeros(len(ts), bool), nonexistent=pd.Timedelta("1h"))
    return first.where(~(first < after), second)


def _resolved(d: pd.DataFrame) -> pd.DataFrame:
    """Calls with their times as instants; calls whose events then run backwards are dropped (the
    gate quarantines them, e.g. a generated time inside the missing March hour)."""
    d = d.copy()
    d["received_at"] = _local(d.received_at)
    d["answered_at"] = _local(d.answered_at, d.received_at)
    d["ended_at"] = _local(d.ended_at, d.answered_at.fillna(d.received_at))
    ok = ~((d.received_at > d.answered_at) | (d.received_at > d.ended_at) | (d.answered_at > d.ended_at))
    return d[ok]


def expected_metrics(var: Path) -> pd.DataFrame:
    """Every sample metric recomputed with pandas straight from the landed files."""
    rows, calls_101 = [], {}

    def add(metric, key, value, num=None, den=None):
        rows.append((metric, key[0], key[1].date(), float(value), num, den))

    for f in _latest_per_file_name(_landed(var, "calls")):
        d = _resolved(pd.read_csv(f, parse_dates=["received_at", "answered_at", "ended_at"]))
        d["wait"] = (d.answered_at - d.received_at).dt.total_seconds()
        k = _key(f.name)
        c = d[d.line == 101]
        n = len(c)
        add("calls_101_received", k, n)
        add("calls_101_answered", k, (c.outcome == "answered").sum())
        add("calls_101_abandoned", k, (c.outcome == "abandoned").sum())
        add("calls_101_callbacks", k, (c.outcome == "call_back").sum())
        add(
            "calls_101_abandoned_pct",
            k,
            100 * (c.outcome == "abandoned").sum() / n,
            (c.outcome == "abandoned").sum(),
            n,
        )
        within = (c.wait <= c.answer_target_seconds).sum()
        add("calls_101_answered_within_target_pct", k, 100 * within / n, within, n)
        add("calls_101_mean_wait_minutes", k, c.wait.mean() / 60)
        add("calls_101_p90_wait_minutes", k, np.percentile(c.wait.dropna(), 90) / 60)
        e = d[d.line == 999]
        add("calls_999_received", k, len(e))
        add("calls_999_answered_within_10s_pct", k, 100 * (e.wait <= 10).sum() / len(e), (e.wait <= 10).sum(), len(e))
        calls_101[k] = n
    for f in _latest_per_file_name(_landed(var, "digital_contacts")):
        d = pd.read_csv(f)
        k = _key(f.name)
        by = d.groupby("channel").contacts.sum()
        total = d.contacts.sum()
        add("digital_contacts_total", k, total)
        add("digital_contacts_webchat", k, by.get("webchat", 0))
        add("digital_contacts_whatsapp", k, by.get("whatsapp", 0))
        add("digital_contacts_online", k, by.get("online_report", 0))
        add("digital_contact_share_pct", k, 100 * total / (total + calls_101[k]), total, total + calls_101[k])
    for f in _latest_per_file_name(_landed(var, "specials")):
        d = pd.read_csv(f, parse_dates=["month", "joined_on", "left_on"])
        k = _key(f.name)
        month = d.month.iloc[0]
        add("specials_joiners", k, (d.joined_on.dt.to_period("M") == month.to_period("M")).sum())
        add("specials_leavers", k, (d.left_on.dt.to_period("M") == month.to_period("M")).sum())
        add("specials_operational_hours", k, d.operational_hours.sum())
        add("specials_duty_hours", k, d[["operational_hours", "training_hours", "admin_hours"]].sum().sum())
        add("specials_hours_fte", k, d.operational_hours.sum() / FTE_HOURS, d.operational_hours.sum(), FTE_HOURS)
    for f in _latest_per_file_name(_landed(var, "domestic_abuse")):
        d = pd.read_csv(f).sum(numeric_only=True)
        k = _key(f.name)
        justice = d.outcome_charge_summons + d.outcome_out_of_court
        add("da_crimes", k, d.crimes)
        add("da_incidents", k, d.incidents)
        add("da_arrests", k, d.arrests)
        add("da_justice_outcomes", k, justice)
        add("da_arrest_rate_pct", k, 100 * d.arrests / d.crimes, d.arrests, d.crimes)
        add("da_justice_outcome_rate_pct", k, 100 * justice / d.crimes, justice, d.crimes)
    for f in _latest_per_file_name(_landed(var, "hate_crime")):
        d = pd.read_csv(f).groupby("strand").sum(numeric_only=True)
        k = _key(f.name)
        add("hate_crimes_monthly_sample", k, d.loc["all", "crimes"])
        add("hate_incidents", k, d.loc["all", "incidents"])
        for s in ("race", "religion", "sexual_orientation", "disability", "transgender"):
            add(f"hate_crimes_{s}_monthly_sample", k, d.loc[s, "crimes"])
        add(
            "hate_crime_charge_rate_pct",
            k,
            100 * d.loc["all", "outcome_charge_summons"] / d.loc["all", "crimes"],
            d.loc["all", "outcome_charge_summons"],
            d.loc["all", "crimes"],
        )
    # the Home Office 999 answer-times shape, SAMPLE file (bundled): forces outside England and Wales left out
    ho = pd.read_csv(PROJECT / "seeds/sources/contact/SAMPLE_home_office_999_answer_times_2024.csv", thousands=",")
    codes = dict(pd.read_csv(PROJECT / "seeds/reference/forces.csv")[["area_name", "area_code"]].values)
    for r in ho[ho.Force.isin(codes)].itertuples(index=False):
        month = pd.Period(r.Month, "M").to_timestamp(how="end").normalize()
        k, total = (codes[r.Force], month), r[2]
        add("calls_999_ho_received_sample", k, total)
        add("calls_999_ho_mean_answer_seconds_sample", k, r[3])
        for metric, n in (("under_10s", r[4]), ("10_to_60s", r[6]), ("60s_or_more", r[8])):
            add(f"calls_999_ho_{metric}_pct_sample", k, 100 * n / total, n, total)
    out = pd.DataFrame(rows, columns=["metric_id", "area_code", "period_end", "expected", "exp_num", "exp_den"])
    return out


def published_sample_metrics(db: Path) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select metric_id, area_code, period_end, value, numerator, denominator, is_sample, unit "
            "from marts.metric_values where period_type = 'month' and source like 'SAMPLE%'"
        ).df()


def _compare(var: Path) -> pd.DataFrame:
    exp = expected_metrics(var)
    got = published_sample_metrics(var / "warehouse.duckdb")
    got["period_end"] = pd.to_datetime(got.period_end).dt.date
    m = exp.merge(got, on=["metric_id", "area_code", "period_end"], how="outer", indicator=True)
    assert (m._merge == "both").all(), m[m._merge != "both"].head(10).to_string()
    assert m.is_sample.all()
    bad = m[~np.isclose(m.value, m.expected, rtol=1e-9, atol=1e-9)]
    assert bad.empty, bad.head(10).to_string()
    pct = m[m.unit == "percent"]
    assert np.allclose(pct.numerator, pct.exp_num) and np.allclose(pct.denominator, pct.exp_den)
    return m


def test_every_sample_metric_matches_an_independent_pandas_computation(built_var):
    m = _compare(built_var)
    assert set(m.area_code) == {TV, LEICS}
    assert m.period_end.nunique() == len(samples.months(samples.DEFAULT_START, samples.default_end()))
    assert (
        m.metric_id.nunique() == 39
    )  # contact 15 + 5 in the Home Office 999 shape, specials 5, domestic abuse 6, hate crime 8
    # calibration visible in the marts: Thames Valley's Specials (about 279 in March 2022) well below
    # the five-year target of 13,000 operational hours (75 FTE) a month
    tv = m[(m.area_code == TV) & (m.metric_id == "specials_hours_fte")]
    assert 20 < tv.value.mean() < 50


def test_domestic_abuse_per_100k_uses_the_year_total_and_the_ons_population(pipeline_store):
    rows = pipeline_store.execute("""
        select r.area_code, r.value, r.numerator, r.denominator,
               (select sum(value) from marts.metric_values m where m.metric_id = 'da_crimes'
                  and m.area_code = r.area_code and m.period_end between date '2022-04-30' and date '2023-03-31'),
               (select population from intermediate.int_population__pfa_year p
                  where p.area_code = r.area_code and p.mid_year = 2020)
        from marts.metric_values r
        where r.metric_id = 'da_crimes_per_100k' and r.period_end = date '2023-03-31'
          and r.period_type = 'financial_year' and r.is_sample order by 1""").fetchall()
    assert [r[0] for r in rows] == [LEICS, TV]
    for _, value, num, den, crimes, population in rows:
        assert num == crimes and den == population  # mid-2020: the latest estimate held
        assert value == pytest.approx(100_000 * crimes / population)


def test_marts_hold_aggregates_only_and_sample_flag(published):
    for mart in ("fct_contact_monthly", "fct_specials_monthly", "fct_domestic_abuse_monthly", "fct_hate_crime_monthly"):
        cols = [
            r[0]
            for r in published.execute(
                "select column_name from information_schema.columns where table_schema = 'marts' and table_name = ?",
                [mart],
            ).fetchall()
        ]
        assert cols and not {"call_id", "special_id", "received_at", "joined_on"} & set(cols), mart
        assert published.execute(f"select count(*), bool_and(is_sample) from marts.{mart}").fetchall()[0] == (
            published.execute(f"select count(*) from marts.{mart}").fetchall()[0][0],
            True,
        )
    assert published.execute(
        "select count(*) from marts.fct_domestic_abuse_monthly where area_code = ? and period_end = date '2022-06-30'",
        [TV],
    ).fetchall() == [(16,)]  # 16 CSPs


def test_person_ids_are_pseudonymised_at_load_and_never_reach_the_warehouse(built_var, published, pipeline_store):
    first = _landed(built_var, "calls")[0]
    original = pd.read_csv(first, nrows=1, dtype=str).call_id.iloc[0]
    key = pseudonymise.DEVELOPMENT_KEY.encode()  # the build ran without PCP_PSEUDONYM_KEY
    expected = hmac.new(key, original.encode(), hashlib.sha256).hexdigest()
    raw = pipeline_store.execute(
        "select call_id from raw.force_feeds__calls where _source_file = ? and _row_number = 1", [first.name]
    ).fetchall()
    assert raw == [(expected,)]
    assert pipeline_store.execute(
        "select count(*) from raw.force_feeds__calls where not regexp_full_match(call_id, '[0-9a-f]{64}')"
    ).fetchall() == [(0,)]
    # no original call or Special id anywhere in the warehouse, in any text column of any table
    specials_first = pd.read_csv(_landed(built_var, "specials")[0], dtype=str).special_id.iloc[0]
    tables = published.execute(
        "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'"
    ).fetchall()
    assert len(tables) > 50
    for schema, table, column in tables:
        hits = published.execute(
            f'select count(*) from "{schema}"."{table}" where "{column}" in (?, ?) '
            f"or regexp_matches(\"{column}\", 'E2[0-9]{{7}}-(SC[0-9]{{5}}|[0-9]{{6}}-(101|999)-)')",
            [original, specials_first],
        ).fetchall()[0][0]
        assert hits == 0, f"{schema}.{table}.{column} holds an original person id"


# --- restated and out-of-order months ----------------------------------------------------------

EARLY = dt.date(2019, 3, 1)  # the month before the default sample starts (samples.DEFAULT_START)


@pytest.fixture(scope="module")
def rebuilt(built_var, tmp_path_factory):
    """The shared build plus: four restated months (new content, later arrival) and an earlier month
    (March 2019, before the default sample's first) of every feed arriving after all the later ones;
    rebuilt with `pcp build`."""
    var = tmp_path_factory.mktemp("restated") / "var"
    shutil.copytree(built_var, var)
    gen = var.parent / "gen"
    restated = {
        "domestic_abuse": (TV, "2022-06"),
        "calls": (LEICS, "2022-09"),
        "specials": (TV, "2022-12"),
        "hate_crime": (LEICS, "2022-05"),
    }
    for feed, (area, month) in restated.items():
        first = dt.date.fromisoformat(month + "-01")
        scale = 0.05 if feed == "calls" else 1.0
        [f] = write_feed(feed, [area], first, first, 1234, gen / "restated" / feed, scale)
        _land(var, feed, f, "2023-06-01")
    for feed in FEEDS:
        scale = 0.05 if feed in ("calls", "digital_contacts") else 1.0
        [f] = write_feed(feed, ["Thames Valley"], EARLY, EARLY, 42, gen / "early" / feed, scale)
        _land(var, feed, f, "2023-07-01")
    before = published_sample_metrics(var / "warehouse.duckdb")
    # restated months move published figures by more than the movement limit: accept them explicitly
    run_pcp("build", "--accept-moves", var=var)
    return var, restated, before


def _land(var: Path, feed: str, f: Path, arrived: str) -> Path:
    dest = var / "landing" / FEEDS[feed][1] / arrived / f.name
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(f, dest)
    return dest


def test_restated_and_early_months_match_the_latest_files(rebuilt):
    var, _, _ = rebuilt
    m = _compare(var)  # recomputed from the latest file per force and month
    assert m.period_end.min() == dt.date(2019, 3, 31)
    assert set(m[m.period_end == dt.date(2019, 3, 31)].area_code) == {TV}


def test_restatement_replaces_the_month_in_marts_and_raw_keeps_both(rebuilt):
    var, restated, before = rebuilt
    after = published_sample_metrics(var / "warehouse.duckdb")
    key = ["metric_id", "area_code", "period_end"]
    both = before.merge(after, on=key, suffixes=("_before", "_after"))
    changed = both[both.value_before != both.value_after]
    changed_months = {(r.area_code, r.period_end.strftime("%Y-%m")) for r in changed.itertuples()}
    expected = {(a, m) for a, m in restated.values()}
    # digital_contact_share_pct moves with the restated 101 calls; nothing else moves
    assert changed_months == expected, changed_months
    with duckdb.connect(str(var / "build" / "working.duckdb"), read_only=True) as con:  # raw: the pipeline's storage
        loads = con.execute(
            "select count(distinct _load_id), count(distinct _vintage) from raw.force_feeds__domestic_abuse_monthly "
            "where area_code = ? and month = date '2022-06-01'",
            [TV],
        ).fetchall()
        assert loads == [(2, 2)]
        staged = con.execute(
            "select count(distinct load_id) from staging.stg_force_feeds__domestic_abuse_monthly "
            "where area_code = ? and period_end = date '2022-06-30'",
            [TV],
        ).fetchall()
        assert staged == [(1,)]


# --- a corrupted file per domain ----------------------------------------------------------------

CORRUPTIONS = {
    # domain: (feed, column, bad value, what the message must name)
    "contact": ("calls", "outcome", "dropped", "abandoned"),
    "specials": ("specials", "operational_hours", "-8.5", "min_value"),
    "domestic_abuse": ("domestic_abuse", "csp_code", "E2200O164", "in_set"),  # checked against the ONS lookup
    "hate_crime": ("hate_crime", "strand", "age", "transgender"),
}


@pytest.mark.parametrize("domain", list(CORRUPTIONS))
def test_a_corrupted_feed_file_is_stopped_and_nothing_published_changes(domain, copy_of_built):
    feed, column, bad, expected_hint = CORRUPTIONS[domain]
    published = copy_of_built / "warehouse.duckdb"
    before = file_digest(published)
    scale = 0.05 if feed == "calls" else 1.0
    [f] = write_feed(feed, ["Leicestershire"], EARLY, EARLY, 42, copy_of_built.parent / "gen", scale)
    d = pd.read_csv(f, dtype=str, keep_default_na=False)
    d[column] = bad  # every row: far above the 2% of rows a force feed may have quarantined
    d.to_csv(f, index=False)
    _land(copy_of_built, feed, f, "2019-04-07")  # a month the default sample does not hold
    proc = run_pcp("build", var=copy_of_built, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    err = proc.stderr
    assert "nothing published" in err
    assert f.name in err and column in err and "row" in err and bad in err and expected_hint in err, err
    assert file_digest(published) == before
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from meta.loads where source_file = ?", [f.name]).fetchall() == [(0,)]
