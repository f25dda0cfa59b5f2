"""Hardened ingest (issue 15, with issue 14's landing kinds 3 and 4): each kind of bad input or
environment failure stops only itself, is said in one line, and stays visible until resolved.

Most cases load one small SAMPLE force-feed file into a fresh runtime folder (real DuckDB, real
Great Expectations gate, no dbt); the end-to-end cases run the real `pcp` on a copy of the shared
build. docs/reliability.md lists the kinds and these tests.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
import tracemalloc
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from conftest import PROJECT, file_digest, run_pcp
from warehouse.samples import write_feed

DA = "force_feeds__domestic_abuse_monthly"
HC = "force_feeds__hate_crime_monthly"
WF = "home_office__workforce_open_data"
MONTH = dt.date(2023, 4, 1)


def _sample(feed: str, out: Path, month: dt.date = MONTH, force: str = "Thames Valley", seed: int = 42) -> Path:
    [f] = write_feed(feed, [force], month, month, seed, out, 1.0)
    return f


def _land(var: Path, table: str, f: Path, folder: str = "2023-05-07", name: str | None = None) -> Path:
    dest = var / "landing" / table / folder / (name or f.name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(f, dest)
    return dest


def _edit(f: Path, row: int, column: str, value: str) -> None:
    """Set one field of data row ``row`` (1 = first row under the header), keeping everything else."""
    d = pd.read_csv(f, dtype=str, keep_default_na=False)
    d.loc[row - 1, column] = value
    d.to_csv(f, index=False)


def _loads(var: Path, name: str) -> list[tuple]:
    with duckdb.connect(str(var / "build/working.duckdb"), read_only=True) as con:
        return con.execute(
            "select load_id, status, rows_read, message, vintage from meta.loads where source_file = ? "
            "order by load_id",
            [name],
        ).fetchall()


def _quarantine(var: Path, name: str) -> list[tuple]:
    with duckdb.connect(str(var / "build/working.duckdb"), read_only=True) as con:
        return con.execute(
            "select row_number, column_name, value, reason from meta.quarantine where file = ? "
            "order by row_number, column_name",
            [name],
        ).fetchall()


def _ingest(*tables: str):
    from warehouse.orchestrate import pipeline

    return pipeline.ingest(tables=list(tables), strict=False)


# --- kind 1: a refused file stops only itself and is held until resolved --------------------------


def test_rejected_file_is_held_not_retried_and_blocks_nothing(var_dir, tmp_path):
    """A UTF-16 domestic-abuse file is refused once; a good file of another source and a later month
    of the same source load in the same run and the next; `pcp resolve --retry` reads the fixed file."""
    from warehouse.core import db
    from warehouse.orchestrate import held

    bad = _sample("domestic_abuse", tmp_path / "bad")
    bad.write_bytes(bad.read_text().encode("utf-16"))
    landed_bad = _land(var_dir, DA, bad)
    good_other = _land(var_dir, HC, _sample("hate_crime", tmp_path / "hc"))
    good_later = _land(var_dir, DA, _sample("domestic_abuse", tmp_path / "may", dt.date(2023, 5, 1)), "2023-06-07")

    first = {r.file: r for r in _ingest(DA, HC)}
    assert first[bad.name].status == "rejected"
    assert "UTF-16" in first[bad.name].message and "expected UTF-8" in first[bad.name].message
    assert first[good_other.name].status == "loaded" and first[good_later.name].status == "loaded"
    assert [s for _, s, *_ in _loads(var_dir, good_other.name)] == ["accepted"]
    [(load_id, status, *_)] = _loads(var_dir, bad.name)
    assert status == "rejected"

    again = {r.file: r for r in _ingest(DA, HC)}  # held: reported, not read again, nothing else affected
    assert again[bad.name].status == "held" and f"pcp resolve {load_id}" in again[bad.name].message
    assert again[good_other.name].status == "unchanged"
    assert len(_loads(var_dir, bad.name)) == 1
    with db.writer() as con:
        assert [h.load_id for h in held.outstanding(con)] == [load_id]

    # fixed in place, then resolved for another try: read again as a new load, accepted
    landed_bad.write_bytes(landed_bad.read_text(encoding="utf-16").encode("utf-8"))
    with db.writer() as con:
        assert "read again" in held.resolve(con, load_id, "retry")
    third = {r.file: r for r in _ingest(DA)}
    assert third[bad.name].status == "loaded"
    with db.writer() as con:
        assert held.outstanding(con) == []


def test_resolve_drop_keeps_the_bytes_out_for_good(var_dir, tmp_path):
    from warehouse.core import db
    from warehouse.core.errors import PipelineError
    from warehouse.orchestrate import held

    bad = _sample("domestic_abuse", tmp_path / "bad")
    _edit(bad, 1, "crimes", "lots")
    for r in range(2, 12):
        _edit(bad, r, "crimes", "lots")  # far above the 2% a force feed may have quarantined
    _land(var_dir, DA, bad)
    [r] = _ingest(DA)
    assert r.status == "rejected" and "column 'crimes' expects integer" in r.message
    with db.writer() as con:
        held.resolve(con, r.load_id, "dropped")
        assert held.outstanding(con) == []
        with pytest.raises(PipelineError, match="no load .* in the working database"):
            held.resolve(con, r.load_id + 100, "dropped")
    [again] = _ingest(DA)
    assert again.status == "dropped" and len(_loads(var_dir, bad.name)) == 1


def test_strict_ingest_names_every_rejected_file_after_loading_the_rest(var_dir, tmp_path):
    """Airflow's ingest task: it still fails on new bad data, but only after the good files loaded."""
    from warehouse.core.errors import BadDataError
    from warehouse.orchestrate import pipeline

    bad = _sample("hate_crime", tmp_path / "bad")
    bad.write_bytes(b"")
    _land(var_dir, HC, bad)
    good = _land(var_dir, DA, _sample("domestic_abuse", tmp_path / "da"))
    with pytest.raises(BadDataError, match=f"{bad.name}: the file is empty"):
        pipeline.ingest(tables=[HC, DA])
    assert [s for _, s, *_ in _loads(var_dir, good.name)] == ["accepted"]
    assert pipeline.ingest(tables=[HC, DA])  # held now: a later strict run does not fail on it again


def test_rejected_file_does_not_stop_a_build_and_stays_listed_until_resolved(copy_of_built, tmp_path):
    """The issue's example end to end: a rejected UTF-16 domestic-abuse file and a good hate-crime
    file landed the next day; the build publishes the hate-crime month, exits 2 naming the refused
    file; later builds list it (and `pcp status`) until `pcp resolve --drop`; one alert."""
    from warehouse.samples import DEFAULT_END, next_month

    var = copy_of_built
    month = next_month(DEFAULT_END)  # a month the shared build's sample feeds do not hold yet
    today = dt.date.today()
    bad = _sample("domestic_abuse", tmp_path / "bad", month)
    bad.write_bytes(bad.read_text().encode("utf-16"))
    _land(var, DA, bad, (today - dt.timedelta(days=1)).isoformat())
    good = _land(var, HC, _sample("hate_crime", tmp_path / "hc", month), today.isoformat())

    proc = run_pcp("build", var=var, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "1 file(s) rejected, published version" in proc.stderr and bad.name in proc.stderr
    with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select status from meta.loads where source_file = ?", [good.name]).fetchall() == [
            ("accepted",)
        ]
    with duckdb.connect(str(var / "build" / "working.duckdb"), read_only=True) as con:  # staging: pipeline storage
        assert (
            con.execute(
                "select count(*) from staging.stg_force_feeds__hate_crime_monthly where period_end = last_day(?::date)",
                [month],
            ).fetchone()[0]
            > 0
        )
    status = run_pcp("status", var=var)
    assert "NEEDS ATTENTION" in status.stdout and bad.name in status.stdout and "pcp resolve" in status.stdout

    again = run_pcp("build", var=var)  # nothing new: exit 0, but the held file is still listed
    assert "NEEDS ATTENTION" in again.stdout and bad.name in again.stdout
    [(load_id, *_)] = _loads(var, bad.name)
    run_pcp("resolve", str(load_id), "--drop", var=var)
    assert "needs attention: nothing" in run_pcp("status", var=var).stdout
    alerts = [json.loads(x) for x in (var / "alerts" / "failures.jsonl").read_text().splitlines()]
    assert [a for a in alerts if bad.name in a["error"]].__len__() == 1


def test_extractor_does_not_land_an_empty_answer(var_dir, tmp_path):
    """police.uk answers `[]` (200) for a month not published yet: nothing lands, the next run asks again."""
    sys.path.insert(0, str(Path(__file__).parent))
    from urllib.parse import urlsplit

    from test_extract import FAST, FaultServer

    from warehouse.ingest import extract

    s = FaultServer()
    src = extract.get_source("police_uk_street_api")
    s.serve(urlsplit(src.spec["url"]).path, b"[]", "application/json")
    s.thread.start()
    try:
        [r] = extract.extract(
            "police_uk_street_api", base_url=s.url, arrived=dt.date(2026, 1, 5), months=["2026-01"], policy=FAST
        )
    finally:
        s.httpd.shutdown()
        s.httpd.server_close()
    assert r.status == "empty answer" and r.path is None
    landed = var_dir / "landing"
    assert not landed.exists() or [p for p in landed.rglob("*") if p.is_file()] == []
    assert not (var_dir / "extract" / "state.json").exists()


# --- kind 2 (and 5, 6): nothing in landing is silently skipped ------------------------------------


def test_unknown_folders_links_and_hidden_files_are_reported(var_dir, tmp_path):
    from warehouse.core import contracts
    from warehouse.ingest import landing

    f = _sample("domestic_abuse", tmp_path / "da")
    _land(var_dir, "force_feeds__domestic_abuse", f)  # the typo
    _land(var_dir, "ons__crime_survey", f)  # a publication with no contract
    (var_dir / "landing" / "stray.csv").write_bytes(b"x")  # own case: not in any table folder
    good = _land(var_dir, DA, f)
    hidden = _land(var_dir, DA, f, name=".da_backup.csv")  # a dot-file
    outside = tmp_path / "outside.csv"
    outside.write_bytes(f.read_bytes())
    link = good.parent / "linked.csv"
    link.symlink_to(outside)  # a symlink pointing outside var/
    part = _land(var_dir, DA, f, name=f.name + ".part")  # still arriving: waits, not a problem

    skipped, _ = landing.scan(list(contracts.all_contracts()))
    said = {s.path.name: s for s in skipped}
    assert "did you mean force_feeds__domestic_abuse_monthly?" in said["force_feeds__domestic_abuse"].why
    assert "no source contract reads this folder" in said["ons__crime_survey"].why
    assert "directly under landing/" in said["stray.csv"].why
    assert "hidden file" in said[hidden.name].why
    assert "symbolic link" in said["linked.csv"].why and str(outside) in said["linked.csv"].why
    assert said[part.name].waiting and not said["linked.csv"].waiting
    assert [p.name for p, _ in landing.landed_files(DA)] == [good.name]  # only the regular, complete file

    results = _ingest(DA)
    assert [r.file for r in results] == [good.name]


def test_build_output_and_status_list_an_unknown_landing_folder(var_dir, tmp_path):
    """The issue's example through `pcp build` and `pcp status`: never "nothing new" alone."""
    f = _sample("domestic_abuse", tmp_path / "da")
    _land(var_dir, "force_feeds__domestic_abuse", f)
    proc = run_pcp("build", var=var_dir, timeout=1800)
    assert "not loaded: landing/force_feeds__domestic_abuse" in proc.stdout
    assert "did you mean force_feeds__domestic_abuse_monthly?" in proc.stdout
    status = run_pcp("status", var=var_dir)
    assert "not loaded: landing/force_feeds__domestic_abuse" in status.stdout
    alerts = (var_dir / "alerts" / "failures.jsonl").read_text()
    assert "force_feeds__domestic_abuse" in alerts


# --- kind 3: strict numbers ------------------------------------------------------------------------


def test_counts_accept_whole_numbers_only_and_doubles_finite_ones(var_dir, tmp_path):
    f = _sample("domestic_abuse", tmp_path / "da")
    _edit(f, 3, "crimes", "251.6")  # the examples
    _edit(f, 5, "arrests", "1e3")
    _edit(f, 7, "incidents", "251.0")  # own case: a whole number written as a decimal is still not digits
    _land(var_dir, DA, f)
    [r] = _ingest(DA)  # 3 of 16 rows: above the 2% a force feed may have quarantined
    assert r.status == "rejected"
    for text in (
        f"{f.name}: column 'crimes' expects integer values (a whole number in digits, e.g. 251) but "
        f"1 row(s) are not: row 3: '251.6'",
        "column 'arrests'",
        "row 5: '1e3'",
        "column 'incidents'",
        "row 7: '251.0'",
    ):
        assert text in r.message, r.message
    q = _quarantine(var_dir, f.name)  # kept for the record
    assert [(row, col, val) for row, col, val, _ in q] == [
        (3, "crimes", "251.6"),
        (5, "arrests", "1e3"),
        (7, "incidents", "251.0"),
    ]
    assert all("not a integer value (expected a whole number in digits, e.g. 251)" in why for *_, why in q)
    with duckdb.connect(str(var_dir / "build/working.duckdb"), read_only=True) as con:
        assert con.execute(f"select count(*) from raw.{DA} where crimes = 252 or arrests = 1000").fetchone()[0] == 0


@pytest.mark.parametrize("value", ["Infinity", "1e308", "NaN", "-inf"])
def test_double_columns_refuse_non_finite_and_absurd_values(var_dir, value):
    """Official statistics reject the file (limit 0): the message names file, row, column, value, form."""

    src = PROJECT / "seeds/sources/workforce/ho_police_workforce_open_data_mar2007_mar2022.csv"
    lines = src.read_text().splitlines()
    rows = [lines[0]] + [x for x in lines[1:] if x.startswith("2022-03-01")]
    cells = rows[12].split(",")
    cells[-1] = value
    rows[12] = ",".join(cells)
    f = var_dir.parent / "fte.csv"
    f.write_text("\n".join(rows) + "\n")
    _land(var_dir, WF, f)
    [r] = [x for x in _ingest(WF) if x.file == "fte.csv"]
    assert r.status == "rejected"
    assert "fte.csv: column 'total_fte' expects double values (a finite number" in r.message
    assert f"row 12: '{value}'" in r.message


# --- kind 4: bounded input --------------------------------------------------------------------------


def test_an_overlong_last_line_rejects_the_file_once(var_dir, tmp_path, monkeypatch):
    """The issue's 300 MB last line, at test scale: the limit lowered to 4 KB, a last line of 20 KB."""
    monkeypatch.setenv("PCP_MAX_LINE_BYTES", "4096")
    f = _sample("domestic_abuse", tmp_path / "da")
    n = len(f.read_text().splitlines())
    with open(f, "a") as fh:
        fh.write("2023-04-01,E23000029," + "9" * 20_000 + "\n")
    _land(var_dir, DA, f)
    [r] = _ingest(DA)
    assert r.status == "rejected"
    assert f"line {n + 1} is longer than 4,096 bytes" in r.message and "input.max_line_bytes" in r.message
    [again] = _ingest(DA)
    assert again.status == "held" and len(_loads(var_dir, f.name)) == 1  # recorded once, not retried


def test_a_nul_file_is_refused_in_bounded_memory(var_dir, tmp_path, monkeypatch):
    """A file of NUL bytes: refused as binary after reading one chunk; above the size limit, refused
    on its size without reading. Memory stays bounded (measured) whatever the file's size."""
    from warehouse.core import contracts
    from warehouse.core.errors import ContractError
    from warehouse.gate import input_limits

    nul = tmp_path / "zeros.csv"
    with open(nul, "wb") as fh:
        fh.truncate(64 << 20)  # 64 MiB of NUL bytes, sparse on disk
    tracemalloc.start()
    with pytest.raises(ContractError, match=r"zeros.csv: line 1: a NUL byte at offset 0: binary content"):
        input_limits.check(nul, contracts.get(DA))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 << 20, f"peak {peak:,} bytes"

    monkeypatch.setenv("PCP_MAX_FILE_BYTES", str(16 << 20))
    _land(var_dir, DA, nul)
    [r] = _ingest(DA)
    assert r.status == "rejected"
    assert "zeros.csv: the file is 67,108,864 bytes, above the limit of 16,777,216 bytes" in r.message
    assert _ingest(DA)[0].status == "held"


# --- kind 5: content decides ------------------------------------------------------------------------


def test_a_file_corrected_in_place_with_size_and_mtime_kept_is_read_again(var_dir, tmp_path):
    f = _sample("domestic_abuse", tmp_path / "da")
    landed = _land(var_dir, DA, f)
    [first] = _ingest(DA)
    st = landed.stat()
    text = landed.read_text()
    fixed = text.replace(",E23000029,", ",E23000029,", 1)
    i = text.index("\n") + 1  # first data row: change one digit, same length (as rsync --inplace -t would)
    row_end = text.index("\n", i)
    row = text[i:row_end]
    new_row = row[:-1] + ("1" if row[-1] != "1" else "2")
    fixed = text[:i] + new_row + text[row_end:]
    assert len(fixed) == len(text)
    with open(landed, "r+") as fh:
        fh.write(fixed)
    os.utime(landed, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (landed.stat().st_size, landed.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    [second] = _ingest(DA)
    assert second.status == "loaded" and second.load_id != first.load_id
    [unchanged] = _ingest(DA)
    assert unchanged.status == "unchanged"


# --- kind 6: paths are data -------------------------------------------------------------------------


def test_an_apostrophe_in_the_runtime_folder_is_data(tmp_path, monkeypatch, capsys):
    """Every build after the first compared against the published file through SQL assembled from
    its path; now the path is a quoted literal (ATTACH takes no parameters) or a bound parameter."""
    from warehouse.core import db
    from warehouse.core.config import paths
    from warehouse.publish import audit, publication

    var = tmp_path / "o'brien's var"
    monkeypatch.setenv("PCP_VAR_DIR", str(var))
    f = _sample("domestic_abuse", tmp_path / "da")
    _land(var, DA, f)
    assert _ingest(DA)[0].status == "loaded"
    publication.publish_file(paths().working, "00000000T000000000000Z")
    with db.writer() as con:
        assert audit.movements(con, paths().published) == (0, [])
    _land(var, DA, f, name="again.csv")
    assert _ingest(DA)[0].status == "unchanged"
    with db.reader() as con:
        assert con.execute("select count(*) from meta.loads").fetchone()[0] == 1


# --- kind 7: damaged working file, two builds at once -------------------------------------------------


def _raw_rows(var):
    with duckdb.connect(str(var / "build/working.duckdb"), read_only=True) as con:
        return con.execute("select count(*) from raw.force_feeds__calls").fetchone()[0]


def test_a_damaged_working_file_is_rebuilt_from_the_published_copy(copy_of_built):
    """The published file holds no raw rows: raw history is read again from the landed files, under the
    same load ids, and the publication history carries on from the published copy."""
    var = copy_of_built
    before, calls = file_digest(var / "warehouse.duckdb"), _raw_rows(var)
    (var / "build/working.duckdb").write_bytes(b"\x00garbage" * 5000)
    proc = run_pcp("build", var=var)
    assert "the working database was damaged" in proc.stdout and "Traceback" not in proc.stderr
    assert "published warehouse unchanged" in proc.stdout  # the same content, rebuilt: nothing new to publish
    assert file_digest(var / "warehouse.duckdb") == before
    assert list((var / "build").glob("working.duckdb.damaged-*"))
    assert _raw_rows(var) == calls and not (var / "build/working.duckdb.reload").exists()
    with duckdb.connect(str(var / "build/working.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from meta.publications").fetchone()[0] == 1


def test_a_transform_before_the_raw_history_is_reloaded_refuses(copy_of_built):
    from warehouse.core.errors import PipelineError
    from warehouse.orchestrate import pipeline

    (copy_of_built / "build/working.duckdb").unlink()
    pipeline.ensure_working()  # a new working file: history from the published copy, no raw rows yet
    with pytest.raises(PipelineError, match="raw history is not loaded again yet"):
        pipeline.transform_and_publish()


def test_a_second_build_says_another_is_running_and_exits_cleanly(var_dir):
    from warehouse.core import locks

    with locks.one_build():
        proc = run_pcp("build", var=var_dir, check=False)
    assert proc.returncode == 0, proc.stderr
    assert f"another build is running (PID {os.getpid()}" in proc.stdout
    assert proc.stderr == ""


# --- kind 8: environment failures and bad arguments are one line ------------------------------------


def test_a_lock_held_by_another_process_is_one_line_with_its_pid(copy_of_built):
    holder = duckdb.connect(str(copy_of_built / "build/working.duckdb"))  # as an IDE would
    try:
        proc = run_pcp("build", var=copy_of_built, check=False)
    finally:
        holder.close()
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("pcp build: stopped, nothing published: ")
    assert f"locked by another process (PID {os.getpid()}" in lines[0]


def test_sql_errors_print_duckdbs_message_alone(built_var):
    proc = run_pcp("sql", "select no_such_column from marts.metric_values", var=built_var, check=False)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("Binder Error") and "no_such_column" in proc.stderr


@pytest.mark.parametrize(
    "args,says",
    [
        (["report", "--as-at", "2023-02-30"], "--as-at '2023-02-30' is not a date (day is out of range for month)"),
        (["report", "--as-at", "9999-12-31"], "--as-at 9999-12-31 is in the future"),
        (["backfill", "--start", "2023-05-01", "--end", "2023-04-01"], "--end 2023-04-01 is before --start 2023-05-01"),
        (["backfill", "--start", "yesterday", "--end", "2023-04-01"], "--start 'yesterday' is not a date"),
    ],
)
def test_bad_arguments_get_one_line(var_dir, args, says):
    proc = run_pcp(*args, var=var_dir, check=False)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and proc.stderr.startswith(f"pcp {args[0]}: {says}"), proc.stderr


# --- kind 9: missing-value markers, declared by any contract ----------------------------------------


def test_any_contract_declares_missing_markers_and_the_loader_says_what_it_read(frozen_project, var_dir, tmp_path):
    """The plain csv reader, with markers declared in the workforce contract (a project copy)."""
    yml = frozen_project / "dbt_project/models/staging/home_office/_home_office__sources.yml"
    text = yml.read_text()
    marker = "            contract:\n"  # the first table in the file: the workforce open data
    assert text.index(marker) < text.index("identifier: " + WF) or text.index(marker) < 1000
    text = text.replace(marker, marker + "              missing_values: ['[x]', '[z]', '[c]', '..', '#N/A']\n", 1)
    fte = "            config: {meta: {min: 0}}\n\n      - name: workforce_ew_timeseries"
    assert fte in text  # total_fte may be missing here, so the gate's not-null check lets the markers through
    text = text.replace(fte, fte.replace("{min: 0}", "{min: 0, nullable: true}"))
    yml.write_text(text)
    from warehouse.core import contracts
    from warehouse.gate import quality

    assert contracts.get(WF).meta.get("missing_values")
    quality.build_suites()  # the gate's suites follow the contract (as `pcp expectations` does)
    src = frozen_project / "seeds/sources/workforce/ho_police_workforce_open_data_mar2007_mar2022.csv"
    lines = src.read_text().splitlines()
    rows = [lines[0]] + [x for x in lines[1:] if x.startswith("2022-03-01")]
    for i, mark in ((5, "[x]"), (9, ".."), (20, "#N/A")):
        cells = rows[i].split(",")
        cells[-1] = mark
        rows[i] = ",".join(cells)
    cells = rows[30].split(",")
    cells[-1] = "[u]"  # own case: a marker the contract does not declare stays a bad value
    rows[30] = ",".join(cells)
    f = tmp_path / "markers.csv"
    f.write_text("\n".join(rows) + "\n")
    _land(var_dir, WF, f)
    [r] = [x for x in _ingest(WF) if x.file == f.name]
    assert r.status == "rejected" and "row 30: '[u]'" in r.message

    rows[30] = ",".join(rows[30].split(",")[:-1] + ["1.0"])
    f2 = tmp_path / "markers_fixed.csv"
    f2.write_text("\n".join(rows) + "\n")
    _land(var_dir, WF, f2)
    [r] = [x for x in _ingest(WF) if x.file == f2.name]
    assert r.status == "loaded", r.message
    assert (
        "read as missing: total_fte: 1 x '#N/A' (rows 20); total_fte: 1 x '..' (rows 9); "
        "total_fte: 1 x '[x]' (rows 5)" in str(r)
    )
    with duckdb.connect(str(var_dir / "build/working.duckdb"), read_only=True) as con:
        assert con.execute(
            "select column_name, marker, rows from meta.missing_values where load_id = ? order by 2", [r.load_id]
        ).fetchall() == [("total_fte", "#N/A", 1), ("total_fte", "..", 1), ("total_fte", "[x]", 1)]
        assert (
            con.execute(
                f"select count(*) from raw.{WF} where _load_id = ? and total_fte is null", [r.load_id]
            ).fetchone()[0]
            == 3
        )


# --- issue 14, kind 3: files are taken only once complete --------------------------------------------


def test_a_file_still_being_written_is_not_loaded(var_dir, tmp_path, monkeypatch):
    """By the convention (a temporary name, renamed when complete) and, for senders that cannot
    rename, a settle time: a file modified moments ago waits for a later build."""
    from warehouse.core import contracts
    from warehouse.ingest import landing

    f = _sample("domestic_abuse", tmp_path / "da")
    partial = _land(var_dir, DA, f, name=f.name + ".part")
    partial.write_bytes(f.read_bytes()[: len(f.read_bytes()) // 2])  # cut off halfway, as an upload in progress
    assert _ingest(DA) == []
    skipped, _ = landing.scan(list(contracts.all_contracts()))
    assert [(s.path.name, s.waiting) for s in skipped] == [(partial.name, True)]

    monkeypatch.setenv("PCP_LANDING_SETTLE_SECONDS", "3600")
    partial.write_bytes(f.read_bytes())
    final = partial.with_name(f.name)
    os.replace(partial, final)  # complete: renamed to its final name, but modified just now
    assert _ingest(DA) == []
    skipped, _ = landing.scan(list(contracts.all_contracts()))
    assert "taken as still being written" in skipped[0].why
    old = time.time() - 7200
    os.utime(final, (old, old))
    [r] = _ingest(DA)
    assert r.status == "loaded" and r.file == f.name


# --- issue 14, kind 4: a vintage is never in the future ----------------------------------------------


def test_a_future_folder_date_does_not_beat_a_later_correction(var_dir, tmp_path):
    """The issue's example: a wrong file under 2099-01-01/ gets the date received as its vintage, so
    the correction landed after it (a later load, same or later vintage) is the one staging takes."""
    from warehouse.core import contracts
    from warehouse.ingest import landing

    today = dt.date.today()
    wrong = _sample("domestic_abuse", tmp_path / "wrong", seed=1)
    _land(var_dir, DA, wrong, "2099-01-01")
    [w] = _ingest(DA)
    _, notes = landing.scan(list(contracts.all_contracts()))
    assert any("folder date 2099-01-01 is in the future" in n for n in notes)
    fixed = _sample("domestic_abuse", tmp_path / "fixed", seed=2)
    _land(var_dir, DA, fixed, today.isoformat(), name="corrected_" + fixed.name)
    [_, c] = _ingest(DA)
    assert c.status == "loaded"
    with duckdb.connect(str(var_dir / "build/working.duckdb"), read_only=True) as con:
        got = con.execute("select source_file, vintage from meta.loads order by load_id").fetchall()
        assert got == [(wrong.name, today), ("corrected_" + fixed.name, today)]
        # what accepted_rows takes for the period: latest vintage, then latest load
        [(winner,)] = con.execute(
            "select source_file from meta.loads where status = 'accepted' order by vintage desc, load_id desc limit 1"
        ).fetchall()
    assert winner == "corrected_" + fixed.name


def test_vintage_is_the_folder_date_unless_after_the_day_received(tmp_path):
    """Own case: a backfill of history keeps its (past) folder date; tomorrow's folder gets today."""
    from warehouse.ingest.landing import received_vintage

    today = dt.date(2026, 11, 29)
    assert received_vintage(tmp_path / "2023-05-07" / "a.csv", today) == dt.date(2023, 5, 7)
    assert received_vintage(tmp_path / "2026-11-30" / "a.csv", today) == today
    assert received_vintage(tmp_path / "not-a-date" / "a.csv", today) == today
