"""`make bench` at a tiny size: the warehouse, the pandas baseline and the DuckDB floor must give the
same headline figures on the same generated files. Timings are the benchmark's business, not a test's."""

from __future__ import annotations

import json

import pandas as pd

from benchmarks import headline, run


def test_three_paths_agree_on_a_tiny_national_call_log(tmp_path):
    out = tmp_path / "results"
    code = run.main(["--sizes", "20k", "--months", "2", "--no-increment", "--no-dag-parse", "--out", str(out),
                     "--keep", str(tmp_path / "work")])
    doc = json.loads((out / "results.json").read_text())
    (res,) = doc["results"]
    assert res["problems"] == [] and res["agree"] and code == 0
    assert set(res["paths"]) == {"warehouse", "pandas", "floor"}
    assert 15_000 < res["rows"] < 25_000 and res["generate"]["files"] == 43 * 2
    # every force, both months, every headline metric (a percentage is left out where a small force
    # had no 999 calls in the month at this scale)
    assert 43 * 2 * (len(headline.METRICS) - 1) <= res["figures_compared"] <= 43 * 2 * len(headline.METRICS)
    work = tmp_path / "work" / "20000" / "work"
    wh = pd.read_parquet(work / "warehouse.parquet")
    assert wh.loc[wh.metric_id == "calls_101_received", "value"].sum() + \
        wh.loc[wh.metric_id == "calls_999_received", "value"].sum() == res["rows"]
    md = (out / "results.md").read_text()
    assert all(f"| {m} |" in md for m in ("floor", "warehouse", "pandas")) and (out / "scaling.png").stat().st_size


def test_compare_names_a_wrong_figure_and_a_missing_one():
    rows = [("calls_101_received", "E23000001", "2021-04-30", 100.0),
            ("calls_101_mean_wait_minutes", "E23000001", "2021-04-30", 5.123456789)]
    a = pd.DataFrame(rows, columns=headline.COLUMNS)
    assert headline.compare(a, a.copy(), "same") == []
    b = a.copy()
    b.loc[0, "value"] = 101.0          # a count one out
    b.loc[1, "value"] = 5.123456789 * (1 + 1e-12)  # float noise within tolerance
    (problem,) = headline.compare(a, b, "off by one")
    assert "1 figure(s) differ" in problem and "100.0 vs 101.0" in problem
    (missing,) = headline.compare(a, b.iloc[1:], "missing")
    assert "1 figure(s) missing" in missing
