"""Issue 14, fresher real data: police officers FTE at 31 March 2026 for all 43 forces (Kent included)
and the mid-2024 PFA population, from The Justice Pipeline's force table (a secondary, rounded source;
seeds/sources/workforce/PROVENANCE.md), loaded as its own labelled source."""

from __future__ import annotations

import datetime as dt

MARCH_2026 = dt.date(2026, 3, 31)


def _value(con, metric, area, period):
    return con.execute(
        "select value, source from marts.metric_values where metric_id = ? and area_code = ? and period_end = ?",
        [metric, area, period],
    ).fetchall()


def test_england_and_wales_officers_and_rate_run_to_march_2026(published):
    [(officers, source)] = _value(published, "officers_fte", "K04000001", MARCH_2026)
    assert officers == 145886  # the 43 rounded force figures; the compiler's own headline
    assert "via The Justice Pipeline, rounded to whole FTE" in source and "edition of 22 July 2026" in source
    [(rate, rate_source)] = _value(published, "officers_per_100k", "K04000001", MARCH_2026)
    assert round(rate, 1) == 236.0  # 145,886 / 61,806,700 (mid-2024) * 100,000
    assert "ONS mid-2024 population" in rate_source
    assert published.execute(
        "select count(*) from marts.metric_values where metric_id = 'officers_fte' "
        "and period_end = ? and area_code <> 'K04000001'",
        [MARCH_2026],
    ).fetchall() == [(43,)]


def test_forces_2026_figures_and_the_2022_published_figure_still_hold(published):
    assert _value(published, "officers_fte", "E23000029", MARCH_2026)[0][0] == 5085
    assert round(_value(published, "officers_per_100k", "E23000029", MARCH_2026)[0][0], 1) == 192.6
    assert _value(published, "officers_fte", "E23000021", MARCH_2026)[0][0] == 2287
    assert _value(published, "officers_fte", "E23000032", MARCH_2026)  # Kent, missing from the 2024-25 file
    # Home Office: 140,228 FTE officers in the 43 forces on 31 March 2022 (README)
    assert round(_value(published, "officers_fte", "K04000001", dt.date(2022, 3, 31))[0][0]) == 140228


def test_the_milestone_pack_uses_the_2026_figure_as_latest(published):
    rows = published.execute(
        "select latest_date, latest_value from marts.milestone_progress "
        "where milestone_id = 'TVP-01' order by latest_date desc limit 1"
    ).fetchall()
    assert rows == [(MARCH_2026, 5085.0)]
