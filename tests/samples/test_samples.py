"""The SAMPLE force-feed generators (`pcp sample`): determinism, the contract, calibration, pseudonyms."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from pathlib import Path

import pandas as pd
import pytest

from conftest import file_digest, run_pcp
from warehouse import samples
from warehouse.core import contracts
from warehouse.ingest import pseudonymise
from warehouse.samples import FEEDS, write_feed

TV, LEICS = "E23000029", "E23000021"


def _write(feed, out, start="2022-04-01", end="2022-06-30", seed=42, forces=("Thames Valley",), scale=0.02):
    return list(
        write_feed(feed, list(forces), dt.date.fromisoformat(start), dt.date.fromisoformat(end), seed, Path(out), scale)
    )


def _read(files) -> pd.DataFrame:
    return pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)


def _by_financial_year(files, columns) -> pd.DataFrame:
    d = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
    m = pd.to_datetime(d["month"])
    d["fy"] = m.dt.year.where(m.dt.month >= 4, m.dt.year - 1)
    return d.groupby("fy")[columns].sum()


@pytest.mark.parametrize("feed", list(FEEDS))
def test_same_seed_same_bytes_and_a_month_does_not_depend_on_the_range(feed, tmp_path):
    a = _write(feed, tmp_path / "a")
    b = _write(feed, tmp_path / "b")
    assert [f.name for f in a] == [f"{feed}_{TV}_2022-0{m}.csv" for m in (4, 5, 6)]
    assert [file_digest(f) for f in a] == [file_digest(f) for f in b]
    # May generated alone is byte-identical to May generated inside a longer range
    alone = _write(feed, tmp_path / "c", start="2022-05-01", end="2022-05-31")
    assert file_digest(alone[0]) == file_digest(a[1])
    other_seed = _write(feed, tmp_path / "d", seed=7)
    assert file_digest(other_seed[0]) != file_digest(a[0])


@pytest.mark.parametrize("feed", list(FEEDS))
def test_files_follow_their_contract(feed, tmp_path):
    contract = contracts.get(FEEDS[feed][1])
    assert contract.is_sample
    files = _write(feed, tmp_path, forces=("Thames Valley", "Leicestershire"))
    assert len(files) == 6  # one file per force per month
    for f in files:
        assert f.read_text().splitlines()[0].replace('"', "").split(",") == contract.column_names, f.name
        d = pd.read_csv(f, dtype=str, keep_default_na=False)
        assert len(d) > 0 and d["area_code"].nunique() == 1, f.name
        for c in contract.columns:
            values = d[c.name]
            if not c.nullable:
                assert (values != "").all(), (f.name, c.name)
            present = values[values != ""]
            if "allowed" in c.meta:
                assert set(present) <= {str(v) for v in c.meta["allowed"]}, (f.name, c.name)
            if c.data_type in ("integer", "double"):
                nums = pd.to_numeric(present)
                if "min" in c.meta:
                    assert (nums >= c.meta["min"]).all(), (f.name, c.name)
            if c.data_type in ("date", "timestamp"):
                pd.to_datetime(present, format="ISO8601")  # raises if any is not a date
        assert not d.duplicated(subset=[g for g in contract.grain]).any(), f.name


def test_every_feed_file_passes_the_real_loader_and_quality_gate(var_dir):
    from warehouse.core import db
    from warehouse.gate import quality
    from warehouse.ingest import load

    with db.writer() as con:
        for feed, (_, table) in FEEDS.items():
            contract = contracts.get(table)
            files = _write(feed, var_dir / "gen" / feed, end="2022-04-30", forces=("Leicestershire",))
            r = load.load_file(con, contract, files[0], dt.date(2022, 5, 7))
            quality.validate_load(con, contract, r.load_id, files[0].name)
            assert con.execute("select status from meta.loads where load_id = ?", [r.load_id]).fetchall() == [
                ("accepted",)
            ]


def test_specials_about_279_working_well_below_the_13000_hour_five_year_target(tmp_path):
    """Thames Valley had about 279 Specials in March 2022; 13,000 hours a month (75 FTE) is the
    five-year target for a Special Constabulary of about 500 (PCC report, 24 March 2023), not the level."""
    files = _write("specials", tmp_path, start="2021-04-01", end="2022-03-31")
    d = _read(files)
    hours = d["operational_hours"].astype(float).groupby(d["month"]).sum()
    in_post = d.groupby("month")["special_id"].nunique()
    assert 240 < in_post.iloc[-1] < 320, in_post.iloc[-1]
    assert 3_000 < hours.mean() < 9_000, hours.mean()  # well below 13,000
    # one roster: a Special's joining date is the same in every month's file
    assert (d.groupby("special_id")["joined_on"].nunique() == 1).all()


def test_domestic_abuse_calibrated_to_thames_valley_published_totals(tmp_path):
    """30,375 domestic abuse-related crimes in 2022/23 and 27,609 in 2023/24, about 6% charged or summonsed."""
    files = _write("domestic_abuse", tmp_path, start="2022-04-01", end="2024-03-31")
    y = _by_financial_year(files, ["crimes", "outcome_charge_summons"])
    assert y.loc[2022, "crimes"] == pytest.approx(30_375, rel=0.02)
    assert y.loc[2023, "crimes"] == pytest.approx(27_609, rel=0.02)
    assert (100 * y["outcome_charge_summons"] / y["crimes"]).between(5, 7).all()


def test_calls_calibrated_to_thames_valley_published_figures(tmp_path):
    """999 answered within 10 s: 83% over Nov 2021 - Apr 2022, 76% in Aug 2022; 101 average wait 9.6
    minutes in Aug 2022 and about 7 minutes over 2022. Rates do not depend on the scale."""
    files = _write("calls", tmp_path, start="2021-11-01", end="2022-12-31", scale=0.03)
    d = pd.concat([pd.read_csv(f, parse_dates=["received_at", "answered_at"]) for f in files])
    d["wait"] = (d.answered_at - d.received_at).dt.total_seconds()
    d["month"] = d.received_at.dt.to_period("M").astype(str)
    n999 = d[d.line == 999]
    within = 100 * (n999.wait <= 10).groupby(n999.month).sum() / n999.groupby("month").size()
    assert within.loc["2021-11":"2022-04"].mean() == pytest.approx(83, abs=1.5)
    assert within.loc["2022-08"] == pytest.approx(76, abs=2.5)
    w101 = d[(d.line == 101) & d.answered_at.notna()].groupby("month")["wait"].mean() / 60
    assert w101.loc["2022-08"] == pytest.approx(9.6, abs=0.6)
    assert w101.loc["2022-01":"2022-12"].mean() == pytest.approx(7.0, abs=0.4)


def test_calls_are_written_on_the_london_clock_across_both_clock_changes(tmp_path):
    """A force's export never shows a time in the hour the clocks skip (27 March 2022 01:00-01:59), and
    a call waiting across the autumn change (30 October 2022) is answered in the repeated hour: read
    as the warehouse reads local times, no call ends before it started and durations are real."""
    from warehouse.ingest.local_time import to_utc

    files = _write("calls", tmp_path, start="2022-03-01", end="2022-03-31", forces=("Thames Valley", "Kent"), scale=0.2)
    files += _write(
        "calls", tmp_path, start="2022-10-01", end="2022-10-31", forces=("Thames Valley", "Kent"), scale=0.2
    )
    times = ["received_at", "answered_at", "ended_at", "call_back_at"]
    d = pd.concat([pd.read_csv(f, parse_dates=times) for f in files], ignore_index=True)
    for c in times:
        t = d[c].dropna()
        assert not ((t.dt.date == dt.date(2022, 3, 27)) & (t.dt.hour == 1)).any(), c
    assert ((d.received_at.dt.date == dt.date(2022, 3, 27)) & (d.received_at.dt.hour == 2)).sum() > 5
    autumn = d[(d.received_at.dt.date == dt.date(2022, 10, 30)) | (d.ended_at.dt.date == dt.date(2022, 10, 30))]
    assert (autumn.ended_at.dt.hour == 1).sum() > (autumn.received_at.dt.hour == 1).sum()  # 01:xx twice
    for r in d.itertuples():
        received = to_utc(r.received_at.to_pydatetime())
        if pd.notna(r.answered_at):
            assert to_utc(r.answered_at.to_pydatetime(), received) >= received
        assert to_utc(r.ended_at.to_pydatetime(), received) >= received


def test_partnerships_share_the_force_by_population():
    """Current geography: Leicester city (354,000) far above Oadby and Wigston (57,000);
    Buckinghamshire, one unitary since April 2020, shared evenly by its four former districts."""
    codes, w = samples.csp_weights(LEICS)
    share = dict(zip(codes, w))
    assert share["E22000168"] > 5 * share["E22000171"]  # Leicester > Oadby and Wigston
    codes, w = samples.csp_weights(TV)
    share = dict(zip(codes, w))
    bucks = [share[c] for c in ("E22000303", "E22000306", "E22000311", "E22000318")]
    assert max(bucks) == pytest.approx(min(bucks))
    assert sum(bucks) == pytest.approx(547_060 / 2_431_905, rel=0.01)  # ONS mid-2020
    assert sum(w) == pytest.approx(1)


def test_default_sample_runs_from_april_2019_to_the_last_complete_month():
    assert samples.DEFAULT_START == dt.date(2019, 4, 1)
    assert samples.default_end(dt.date(2026, 11, 29)) == dt.date(2026, 10, 31)
    assert samples.default_end(dt.date(2023, 4, 1)) == dt.date(2023, 3, 31)


def test_domestic_abuse_up_a_fifth_in_2020_21_and_justice_outcomes_up_35_percent(tmp_path):
    files = _write("domestic_abuse", tmp_path, start="2019-04-01", end="2021-03-31")
    y = _by_financial_year(files, ["crimes", "outcome_charge_summons", "outcome_out_of_court"])
    crimes = y.loc[2020, "crimes"] / y.loc[2019, "crimes"]
    justice = (y.loc[2020, "outcome_charge_summons"] + y.loc[2020, "outcome_out_of_court"]) / (
        y.loc[2019, "outcome_charge_summons"] + y.loc[2019, "outcome_out_of_court"]
    )
    assert 1.17 < crimes < 1.25, crimes
    assert 1.30 < justice < 1.41, justice


def test_hate_crimes_up_while_hate_incidents_fall(tmp_path):
    files = _write("hate_crime", tmp_path, start="2019-04-01", end="2021-03-31")
    d = pd.concat([pd.read_csv(f) for f in files])
    d = d[d.strand == "all"]
    m = pd.to_datetime(d["month"])
    y = d.groupby(m.dt.year.where(m.dt.month >= 4, m.dt.year - 1))[["crimes", "incidents"]].sum()
    assert y.loc[2020, "crimes"] > y.loc[2019, "crimes"] * 1.03
    assert y.loc[2020, "incidents"] < y.loc[2019, "incidents"] * 0.97
    strands = pd.concat([pd.read_csv(f) for f in files])
    strands = strands[strands.strand != "all"].groupby(["month", "csp_code"])["crimes"].sum()
    totals = d.set_index(["month", "csp_code"])["crimes"]
    assert (strands >= totals).all()  # a crime can carry two strands, never none


def test_101_waits_fall_after_the_strategy(tmp_path):
    files = _write("calls", tmp_path, start="2023-03-01", end="2024-12-31", scale=0.02)

    def mean_wait(f):
        d = pd.read_csv(f, parse_dates=["received_at", "answered_at"])
        d = d[d.line == 101]
        return (d.answered_at - d.received_at).dt.total_seconds().mean()

    assert mean_wait(files[-1]) < 0.7 * mean_wait(files[0])


def test_call_volume_follows_scale(tmp_path):
    small = _write("calls", tmp_path / "s", end="2022-04-30", scale=0.01)
    big = _write("calls", tmp_path / "b", end="2022-04-30", scale=0.04)
    n_small, n_big = (sum(1 for _ in open(f[0])) - 1 for f in (small, big))
    assert 3.5 < n_big / n_small < 4.5


def test_pseudonym_is_hmac_sha256_with_the_key_from_the_environment(monkeypatch):
    monkeypatch.setenv("PCP_PSEUDONYM_KEY", "a-test-key")
    expected = hmac.new(b"a-test-key", b"E23000029-SC00001", hashlib.sha256).hexdigest()
    assert pseudonymise.pseudonym("E23000029-SC00001") == expected
    assert pseudonymise.pseudonyms(["E23000029-SC00001", None]) == [expected, None]
    monkeypatch.setenv("PCP_PSEUDONYM_KEY", "another-key")
    assert pseudonymise.pseudonym("E23000029-SC00001") != expected


def test_development_key_is_used_with_a_warning_when_unset(monkeypatch):
    monkeypatch.delenv("PCP_PSEUDONYM_KEY", raising=False)
    monkeypatch.setattr(pseudonymise, "_warned", False)
    with pytest.warns(UserWarning, match="PCP_PSEUDONYM_KEY is not set"):
        assert pseudonymise.key() == pseudonymise.DEVELOPMENT_KEY.encode()


def test_pcp_sample_writes_files_and_refuses_unknown_names(var_dir, tmp_path):
    out = tmp_path / "out"
    proc = run_pcp(
        "sample",
        "specials",
        "--forces",
        "Leicestershire",
        "--start",
        "2022-01-01",
        "--end",
        "2022-02-28",
        "--seed",
        "42",
        "--out",
        str(out),
        var=var_dir,
    )
    assert "wrote 2 SAMPLE specials file(s)" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == [f"specials_{LEICS}_2022-01.csv", f"specials_{LEICS}_2022-02.csv"]
    bad = run_pcp("sample", "specials", "--forces", "Atlantis", "--out", str(out), var=var_dir, check=False)
    assert bad.returncode == 2 and "unknown force 'Atlantis'" in bad.stderr
    bad = run_pcp("sample", "parking_tickets", "--out", str(out), var=var_dir, check=False)
    assert bad.returncode == 2 and "unknown feed 'parking_tickets'" in bad.stderr


def test_sample_defaults_lands_each_month_in_its_arrival_folder_and_twice_changes_nothing(var_dir):
    run_pcp("sample", "defaults", var=var_dir)
    landed = sorted(p for p in (var_dir / "landing").rglob("*.csv"))
    months = len(samples.months(samples.DEFAULT_START, samples.DEFAULT_END))
    assert len(landed) == len(FEEDS) * len(samples.DEFAULT_FORCES) * months
    first = landed[0]
    assert first.parent.parent.name in {t for _, t in FEEDS.values()}
    assert first.parent.name == samples.arrival_date(dt.date.fromisoformat(first.stem[-7:] + "-01")).isoformat()
    digests = {p: file_digest(p) for p in landed}
    run_pcp("sample", "defaults", var=var_dir)
    assert {p: file_digest(p) for p in sorted((var_dir / "landing").rglob("*.csv"))} == digests
    assert min(landed, key=lambda p: p.stem[-7:]).stem.endswith("2019-04")
    assert max(p.stem[-7:] for p in landed) == f"{samples.default_end():%Y-%m}"
    calls = sum(sum(1 for _ in open(p)) - 1 for p in landed if p.name.startswith("calls_"))
    per_force_month = calls / len(samples.DEFAULT_FORCES) / months
    assert 400 < per_force_month < 1_500  # the documented default volume: 1% of a realistic one
