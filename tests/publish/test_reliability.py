"""Write-audit-publish, lineage, rollback, crash recovery, readers during a build, unwritable var/.

Every test here runs the real `pcp` in a subprocess against a private copy of one shared build.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT, VENV_BIN, file_digest, run_pcp

WORKFORCE_CSV = PROJECT / "seeds/sources/workforce/ho_police_workforce_open_data_mar2007_mar2022.csv"
THAMES_VALLEY = "E23000029"


def _restated_2022(dest: Path, factor: float = 1.0, bump_first_row: int = 0) -> Path:
    """A later edition of the 31 March 2022 snapshot: Thames Valley's counts times ``factor`` and
    (optionally) the first row's headcount and FTE raised by a few people."""
    with open(WORKFORCE_CSV, newline="") as fh:
        rows = list(csv.reader(fh))
    out = [rows[0]]
    for r in rows[1:]:
        if r[0] != "2022-03-01":
            continue
        r = list(r)
        if r[1] == THAMES_VALLEY and factor != 1.0:
            r[7] = str(round(int(r[7]) * factor))
            r[8] = str(round(float(r[8]) * factor, 2))
        out.append(r)
    if bump_first_row:
        out[1][7] = str(int(out[1][7]) + bump_first_row)
        out[1][8] = str(float(out[1][8]) + bump_first_row)
    with open(dest, "w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(out)
    return dest


def _land(var: Path, src: Path) -> None:
    env = {**os.environ, "PCP_VAR_DIR": str(var)}
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from warehouse.ingest import landing; "
            "landing.land_file(Path(sys.argv[1]), 'home_office__workforce_open_data')",
            str(src),
        ],
        env=env,
        check=True,
        cwd=PROJECT,
    )


def _published(var: Path, sql: str, params=None):
    con = duckdb.connect(str(var / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _version(var: Path) -> str:
    from warehouse.publish import versions

    return _published(var, f"select version {versions.LATEST}")[0][0]


def test_publication_records_what_it_was_built_from(built_var):
    ((version, code, loads, dbt, validations, audit, lineage),) = _published(
        built_var, "select version, code_version, loads, dbt, validations, audit, lineage from meta.publications"
    )
    loads = json.loads(loads)
    assert any(ld[2] == WORKFORCE_CSV.name and ld[3] == file_digest(WORKFORCE_CSV) for ld in loads)
    assert json.loads(dbt)["failed"] == 0 and json.loads(dbt)["results"]
    assert {v[0] for v in json.loads(validations)} == {ld[0] for ld in loads}
    audit = json.loads(audit)
    assert audit["failures"] == [] and audit["loads_reconciled"] == len(loads) and audit["totals_checked"] > 0
    assert "model.pcp_warehouse.metric_values" in json.loads(lineage)
    assert code.startswith("0.")


def test_a_load_whose_rows_went_missing_from_raw_fails_the_audit(copy_of_built):
    from warehouse.core import db
    from warehouse.publish import audit

    with db.writer() as con:
        checked, problems = audit.reconcile_loads(con)
        assert (
            problems == []
            and checked == con.execute("select count(*) from meta.loads where status = 'accepted'").fetchall()[0][0]
        )
        load_id, rows = con.execute(
            "select load_id, rows_read from meta.loads where status = 'accepted' and "
            "source_table = 'force_feeds__calls' order by load_id limit 1"
        ).fetchall()[0]
        con.execute("delete from raw.force_feeds__calls where _load_id = ? and _row_number = 2", [load_id])
        _, problems = audit.reconcile_loads(con)
    assert len(problems) == 1 and problems[0].startswith(f"load {load_id} (")
    assert f"{rows:,} rows read, {rows - 1:,} in raw, {rows - 1:,} accepted + 0 quarantined" in problems[0]


def test_lineage_names_files_checksums_loads_and_models(built_var):
    out = run_pcp("lineage", "officers_fte", "--area", THAMES_VALLEY, var=built_var).stdout
    load_id = _published(built_var, "select load_id from meta.loads where source_file = ?", [WORKFORCE_CSV.name])[0][0]
    for text in (
        WORKFORCE_CSV.name,
        file_digest(WORKFORCE_CSV),
        f"load {load_id}:",
        "vintage 2022-07-27",
        "int_metrics__workforce",
        "int_workforce__snapshots",
        "stg_home_office__workforce",
        "raw.home_office__workforce_open_data",
        "Thames Valley",
    ):
        assert text in out, f"{text!r} not in:\n{out}"
    bad = run_pcp("lineage", "no_such_metric", var=built_var, check=False)
    assert bad.returncode != 0 and "no_such_metric" in bad.stderr


def test_big_move_stops_publish_until_accepted_then_rollback(copy_of_built):
    var = copy_of_built
    before, v0 = file_digest(var / "warehouse.duckdb"), _version(var)
    old = _published(
        var,
        "select value from marts.metric_values where metric_id = 'officers_fte' "
        "and area_code = ? and period_end = date '2022-03-31'",
        [THAMES_VALLEY],
    )[0][0]
    _land(var, _restated_2022(var.parent / "tv_restated.csv", factor=2.0))

    stopped = run_pcp("build", var=var, check=False)
    assert stopped.returncode == 2
    assert (
        "would move past their limit" in stopped.stderr and f"officers_fte {THAMES_VALLEY} 2022-03-31" in stopped.stderr
    )
    assert "--accept-moves" in stopped.stderr
    assert file_digest(var / "warehouse.duckdb") == before

    accepted = run_pcp("build", "--accept-moves", var=var)
    assert f"accepted move: officers_fte {THAMES_VALLEY} 2022-03-31" in accepted.stdout
    v1 = _version(var)
    assert v1 > v0
    new = _published(
        var,
        "select value from marts.metric_values where metric_id = 'officers_fte' "
        "and area_code = ? and period_end = date '2022-03-31'",
        [THAMES_VALLEY],
    )[0][0]
    assert new == pytest.approx(old * 2, abs=0.02)  # the mart rounds to 2 decimals
    moves = _published(
        var,
        "select version, old_value, new_value, accepted_by from meta.movements "
        "where metric_id = 'officers_fte' and area_code = ?",
        [THAMES_VALLEY],
    )
    assert moves == [(v1, old, new, "pcp build --accept-moves")]

    rolled = run_pcp("rollback", var=var)
    assert _version(var) == v0
    assert file_digest(var / "warehouse.duckdb") == before
    assert "withdrawn until reinstated: load" in rolled.stdout and "tv_restated.csv" in rolled.stdout

    # the rollback sticks: the next build (as the daily Airflow run would) does not republish the load
    again = run_pcp("build", "--accept-moves", var=var)
    assert "published warehouse unchanged" in again.stdout and _version(var) == v0
    assert file_digest(var / "warehouse.duckdb") == before
    status = run_pcp("status", var=var).stdout
    assert "withdrawn loads (1;" in status and "tv_restated.csv" in status and "rolled back from version" in status

    no_older = run_pcp("rollback", var=var, check=False)  # v0 is the oldest kept
    assert no_older.returncode == 2 and "nothing to roll back to" in no_older.stderr

    # reinstated, the load is published again (a move from v0, so accepted again)
    run_pcp("reinstate", "--all", var=var)
    run_pcp("build", "--accept-moves", var=var)
    assert (
        _version(var) > v1
        and _published(
            var,
            "select value from marts.metric_values where metric_id = 'officers_fte' and area_code = ? "
            "and period_end = date '2022-03-31'",
            [THAMES_VALLEY],
        )[0][0]
        == new
    )


KILL_POINTS = ["load:inserted", "gate:before", "dbt:model", "publish:recorded", "publish:copying:warehouse.duckdb"]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_leaves_previous_version_and_next_run_recovers(copy_of_built, point):
    var = copy_of_built
    before, v0 = file_digest(var / "warehouse.duckdb"), _version(var)
    _land(var, _restated_2022(var.parent / "restated.csv", bump_first_row=3))
    env = {**os.environ, "PCP_VAR_DIR": str(var), "PCP_FAULT_POINT": point}
    killed = subprocess.run(
        [str(VENV_BIN / "pcp"), "build"], env=env, capture_output=True, text=True, cwd=PROJECT, timeout=1800
    )
    assert killed.returncode == -9, f"not killed at {point}:\n{killed.stdout}\n{killed.stderr}"
    assert file_digest(var / "warehouse.duckdb") == before
    assert _version(var) == v0  # still opens, still the previous version

    run_pcp("build", var=var)  # no manual repair
    assert _version(var) > v0
    assert _published(
        var, "select count(*) from meta.loads where source_file = 'restated.csv' and status = 'accepted'"
    ) == [(1,)]
    assert _published(var, "select count(*) from meta.publications where version > ?", [v0]) == [(1,)]
    assert not list(var.glob("*.publishing"))


READER = """
import json, sys, time, duckdb
path, stop, out = sys.argv[1:4]
ok = failed = 0; errors = []
while True:
    try:
        con = duckdb.connect(path, read_only=True)
        con.execute("select count(*), sum(value) from marts.metric_values where metric_id = 'officers_fte'").fetchall()
        con.close(); ok += 1
    except Exception as e:
        failed += 1; errors.append(str(e)[:200])
    if __import__('os').path.exists(stop):
        break
    time.sleep(0.01)
json.dump({"ok": ok, "failed": failed, "errors": errors[:5]}, open(out, "w"))
"""


def test_readers_are_never_blocked_during_a_build(copy_of_built, tmp_path):
    var = copy_of_built
    stop, out = tmp_path / "stop", tmp_path / "counts.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(var / "warehouse.duckdb"), str(stop), str(out)])
    try:
        time.sleep(1)
        run_pcp("build", "--force", var=var)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    counts = json.loads(out.read_text())
    print(f"\nreader during build + publish: {counts['ok'] + counts['failed']} queries, {counts['failed']} failed")
    (PROJECT / "var").exists()  # nothing written to the user's var/
    assert counts["failed"] == 0, counts["errors"]
    assert counts["ok"] > 20


def test_unwritable_var_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    proc = run_pcp("build", var=blocker / "var", check=False)
    assert proc.returncode == 2
    assert "is not writable" in proc.stderr and "nothing was loaded or published" in proc.stderr.lower()


def test_disk_full_during_publish_changes_nothing(copy_of_built):
    var = copy_of_built
    before, v0 = file_digest(var / "warehouse.duckdb"), _version(var)
    kept_before = sorted(p.name for p in (var / "published").iterdir())
    _land(var, _restated_2022(var.parent / "restated.csv", bump_first_row=3))
    (var / "warehouse.duckdb.publishing").symlink_to("/dev/full")  # every write there fails with ENOSPC, even as root
    proc = run_pcp("build", var=var, check=False)
    assert proc.returncode == 2
    assert "No space left on device" in proc.stderr and "warehouse.duckdb was not changed" in proc.stderr
    assert file_digest(var / "warehouse.duckdb") == before and _version(var) == v0
    assert sorted(p.name for p in (var / "published").iterdir()) == kept_before
    (var / "warehouse.duckdb.publishing").unlink()
    run_pcp("build", var=var)
    assert _version(var) > v0


def test_unwritable_version_store_publishes_nothing(copy_of_built):
    var = copy_of_built
    before = file_digest(var / "warehouse.duckdb")
    import shutil

    shutil.rmtree(var / "published")
    (var / "published").write_text("a file where the version store should be")
    proc = run_pcp("build", "--force", var=var, check=False)
    assert proc.returncode == 2 and "cannot create the version store" in proc.stderr
    assert file_digest(var / "warehouse.duckdb") == before


def test_no_secrets_in_the_repository():
    import re

    files = subprocess.run(["git", "-C", str(PROJECT), "ls-files"], capture_output=True, text=True).stdout.split()
    pattern = re.compile(
        r"-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}|ghp_[0-9A-Za-z]{36}|xox[bp]-[0-9A-Za-z-]{20,}"
    )
    found = []
    for f in files:
        path = PROJECT / f
        if path.suffix in (".ods", ".xlsx", ".gz", ".png", ".pdf") or not path.is_file():
            continue
        if pattern.search(path.read_text(errors="ignore")):
            found.append(f)
    assert found == []
    assert not [
        f for f in files if Path(f).name in (".env", "airflow.cfg", "simple_auth_manager_passwords.json.generated")
    ]
