"""Airflow, for real: the dags folder parses, the DAGs follow the house rules, `airflow dags test` runs
each ingest DAG, the workforce DAG and the panel-reports DAG, bad data fails once and raises an alert,
a backfill is idempotent, and under a real scheduler a landed file reaches the published mart with
nobody triggering the transform, the REST API answers at once during a task start, `airflow backfill
create` loads only its interval's files, everything listens on 127.0.0.1 only and is readable by its owner
only, and a DAG a user paused stays paused over a restart.

Every Airflow here has its own AIRFLOW_HOME, with its own PostgreSQL metadata database started by
scripts/airflow_local.sh, and its own PCP_VAR_DIR under the test's temp folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import stat
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import duckdb
import psutil
import pytest
import requests

from conftest import PROJECT, VENV_BIN, file_digest, run_pcp
from warehouse.orchestrate.tasks import POOL, WRITER_QUEUE, domains

DOMAINS = domains()  # read from the source contracts

DAGS = PROJECT / "dags"
WORKFORCE_CSV = PROJECT / "seeds/sources/workforce/ho_police_workforce_open_data_mar2007_mar2022.csv"
WORKFORCE_TABLE = "home_office__workforce_open_data"
OFFICERS_FTE_2022 = (
    "select round(value) from marts.metric_values where metric_id = 'officers_fte' "
    "and area_code = ? and period_end = date '2022-03-31'"
)

pytestmark = pytest.mark.airflow


def airflow_env(home: Path, var: Path) -> dict[str, str]:
    return {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "PCP_VAR_DIR": str(var),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "GX_ANALYTICS_ENABLED": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
    }


def airflow(*args: str, env: dict, timeout: int = 900, check: bool = True) -> subprocess.CompletedProcess:
    """An airflow command the way the README gives it: `scripts/airflow_local.sh cli ...`."""
    proc = subprocess.run(
        [str(PROJECT / "scripts" / "airflow_local.sh"), "cli", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=timeout,
    )
    if check:
        assert proc.returncode == 0, f"airflow {' '.join(args)} failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


def airflow_script(action: str, env: dict, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PROJECT / "scripts" / "airflow_local.sh"), action],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory):
    """A migrated metadata DB (PostgreSQL, started by the script's `cli`) with the writer pool; `dags test`
    runs share it (each has its own var). Stopped at the end, as `make airflow-stop` would."""
    home = tmp_path_factory.mktemp("airflow_home")
    env = airflow_env(home, home / "unused-var")
    try:
        airflow("db", "migrate", env=env)
        airflow("pools", "set", POOL, "1", "one DuckDB writer at a time", env=env)
        yield home
    finally:
        stop = airflow_script("stop", env)
        assert stop.returncode == 0, stop.stdout + stop.stderr
        assert not _postgres_pids(home), "PostgreSQL survived airflow_local.sh stop"


def query_published(var: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows from the published file, opened read-only as an analyst would (closed again at once)."""
    con = duckdb.connect(str(var / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def published_value(var: Path, area: str = "K04000001"):
    rows = query_published(var, OFFICERS_FTE_2022, [area])
    return rows[0][0] if rows else None


def land_changed_workforce(var: Path, arrived: dt.date, extra_fte: int = 50) -> Path:
    """A later edition of the workforce open data: Thames Valley has ``extra_fte`` more constables in
    March 2022 (headcount too, so FTE <= headcount still holds; small enough for the audit's
    movement limit)."""
    lines = WORKFORCE_CSV.read_text().splitlines(keepends=True)
    key = "2022-03-01,E23000029,Thames Valley,South East,Female,Constable,police officer,"
    idx = next(i for i, line in enumerate(lines) if line.startswith(key))
    head, fte = lines[idx].rstrip("\n").rsplit(",", 2)[0], lines[idx].rstrip("\n").rsplit(",", 2)[1:]
    lines[idx] = f"{head},{int(fte[0]) + extra_fte},{float(fte[1]) + extra_fte}\n"
    folder = var / "landing" / WORKFORCE_TABLE / arrived.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / ".workforce_revised.csv.tmp"
    tmp.write_text("".join(lines))
    dest = folder / "workforce_revised.csv"
    os.replace(tmp, dest)  # atomic, as extractors land files
    return dest


# ---------------------------------------------------------------- DAG integrity (parse only)

INSPECT = r"""
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
out = {"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": {}}
for d in bag.dags.values():
    out["dags"][d.dag_id] = {
        "tags": sorted(d.tags), "doc_md": d.doc_md, "timetable": type(d.timetable).__name__,
        "schedule_assets": sorted(a.name for a in getattr(getattr(d.timetable, "asset_condition", None), "objects", []) or []),
        "start_date": str(d.start_date),
        "tasks": {t.task_id: {"owner": t.owner, "retries": t.retries, "pool": t.pool, "pool_slots": t.pool_slots,
                              "queue": t.queue,
                              "backoff": t.retry_exponential_backoff,
                              "outlets": [getattr(o, "name", str(o)) for o in t.outlets]} for t in d.tasks},
    }
print("JSON" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def dag_info(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("dagbag_home")
    env = airflow_env(home, home / "var")
    proc = subprocess.run(
        [str(VENV_BIN / "python"), "-c", INSPECT, str(DAGS)],
        env=env,
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.split("JSON", 1)[1])


def test_dags_folder_imports_without_errors(dag_info):
    assert dag_info["errors"] == {}
    expected = {f"ingest_{d}" for d in DOMAINS} | {"transform_publish", "workforce", "panel_reports"}
    assert expected <= set(dag_info["dags"]), sorted(dag_info["dags"])


def test_every_dag_has_owner_tags_retries_docs(dag_info):
    for dag_id, d in dag_info["dags"].items():
        assert d["tags"] and "pcp" in d["tags"], dag_id
        assert d["doc_md"] and len(d["doc_md"]) > 80, dag_id
        assert d["start_date"].startswith("2025-01-01"), (dag_id, d["start_date"])
        for task_id, t in d["tasks"].items():
            assert t["owner"] == "pcp-data", (dag_id, task_id)
            assert t["retries"] >= 1 and t["backoff"] > 1, (dag_id, task_id)


def test_every_duckdb_writing_task_has_the_one_slot_pool_and_the_writer_queue(dag_info):
    # Only the report DAG reads (the published copy, read-only); every other task writes the working file.
    # The pool serialises writers; the queue sends them, under Celery, to the worker that holds var/.
    for dag_id, d in dag_info["dags"].items():
        for task_id, t in d["tasks"].items():
            if dag_id == "panel_reports":
                assert t["pool"] != POOL and t["queue"] != WRITER_QUEUE, "readers may run anywhere, at once"
            else:
                assert (t["pool"], t["pool_slots"], t["queue"]) == (POOL, 1, WRITER_QUEUE), (dag_id, task_id)


def test_ingests_emit_assets_that_schedule_the_transform(dag_info):
    for domain in DOMAINS:
        tasks = dag_info["dags"][f"ingest_{domain}"]["tasks"]
        assert [o for t in tasks.values() for o in t["outlets"]] == [f"raw_{domain}"]
    tp = dag_info["dags"]["transform_publish"]
    assert tp["timetable"] == "AssetOrTimeSchedule"  # any asset, or the daily backstop
    assert tp["schedule_assets"] == sorted(f"raw_{d}" for d in DOMAINS)


# ---------------------------------------------------------------- airflow dags test, for real


def test_workforce_dag_publishes_the_home_office_figure(airflow_home, tmp_path):
    var = tmp_path / "var"
    proc = airflow("dags", "test", "workforce", env=airflow_env(airflow_home, var))
    assert "state=success" in proc.stdout + proc.stderr
    assert published_value(var) == 140228  # Home Office: 140,228 FTE officers on 31 March 2022


@pytest.fixture(scope="module")
def sample_landed(tmp_path_factory) -> Path:
    """A runtime folder with the standard SAMPLE force feeds landed (the only files some domains have)."""
    var = tmp_path_factory.mktemp("sample_landed") / "var"
    run_pcp("sample", "defaults", var=var)
    return var


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_each_ingest_dag_loads_and_gates_its_domain(domain, airflow_home, sample_landed, tmp_path):
    from warehouse.core import contracts

    var = tmp_path / "var"
    shutil.copytree(sample_landed, var)
    tables = sorted(c.table for c in contracts.all_contracts().values() if c.domain == domain)
    proc = airflow("dags", "test", f"ingest_{domain}", env=airflow_env(airflow_home, var), check=False)
    out = proc.stdout + proc.stderr
    if not tables:  # no contract yet: the DAG must say so, not pass quietly
        assert proc.returncode != 0 and f"no source contract has domain '{domain}'" in out
        return
    assert proc.returncode == 0, out[-4000:]
    con = duckdb.connect(str(var / "build" / "working.duckdb"), read_only=True)
    try:
        loads = con.execute("select source_table, status from meta.loads").fetchall()
    finally:
        con.close()
    assert loads, f"ingest_{domain} loaded nothing"
    assert {t for t, _ in loads} <= set(tables)  # only this domain's raw tables
    assert {s for _, s in loads} == {"accepted"}


def test_bad_data_fails_at_once_without_retry_and_alerts(airflow_home, tmp_path):
    var = tmp_path / "var"
    lines = WORKFORCE_CSV.read_text().splitlines(keepends=True)
    lines[5] = lines[5].replace("police officer", "robot officer", 1)
    folder = var / "landing" / WORKFORCE_TABLE / "2026-01-15"
    folder.mkdir(parents=True)
    (folder / "corrupt.csv").write_text("".join(lines))

    proc = airflow("dags", "test", "ingest_workforce", env=airflow_env(airflow_home, var), check=False)
    assert proc.returncode != 0
    alert_file = var / "alerts" / "failures.jsonl"
    assert _mode(alert_file) == 0o600 and _mode(alert_file.parent) == 0o700  # errors quote source rows
    alerts = [json.loads(x) for x in alert_file.read_text().splitlines()]
    assert len(alerts) == 1, alerts
    a = alerts[0]
    assert (a["dag_id"], a["task_id"], a["try_number"]) == ("ingest_workforce", "load_and_validate", 1)
    assert a["error_type"] == "AirflowFailException" and "robot officer" in a["error"] and "corrupt.csv" in a["error"]
    assert "up_for_retry" not in proc.stdout + proc.stderr
    assert not (var / "warehouse.duckdb").exists()  # nothing published


def _calendar_due_dates() -> dict[dt.date, set[str]]:
    """Papers-due date -> area codes, read from the bundled panel calendar (not copied into the test)."""
    import csv

    due: dict[dt.date, set[str]] = {}
    with open(PROJECT / "seeds/reference/panel_calendar.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            day = dt.date.fromisoformat(row["meeting_date"]) - dt.timedelta(days=int(row["days_before"] or 0))
            due.setdefault(day, set()).add(row["area_code"])
    return due


def test_report_dag_builds_the_packs_due_that_day_and_only_those(airflow_home, copy_of_built):
    from warehouse.report.pack import slug

    var = copy_of_built
    due = _calendar_due_dates()
    day = max(d for d, areas in due.items() if areas == {"E23000029"})  # a Thames Valley meeting's papers
    force = query_published(var, "select area_name from marts.dim_areas where area_code = 'E23000029'")[0][0]
    env = airflow_env(airflow_home, var)
    published = file_digest(var / "warehouse.duckdb")

    airflow("dags", "test", "panel_reports", day.isoformat(), env=env)
    folder = var / "reports" / slug(force) / day.isoformat()
    made = {p.name for p in folder.iterdir()}
    assert {"milestone-pack.xlsx", "milestone-pack.html", "milestone-pack.pdf", "milestones.csv"} <= made, made
    assert [p.name for p in (var / "reports").iterdir()] == [slug(force)]  # no other force's pack
    assert f"Data as at {day:%-d %B %Y}" in (folder / "milestone-pack.html").read_text()
    assert file_digest(var / "warehouse.duckdb") == published  # reports only read the published file

    quiet = next(d for d in (day + dt.timedelta(days=n) for n in range(1, 40)) if d not in due)
    airflow("dags", "test", "panel_reports", quiet.isoformat(), env=env)
    assert not (var / "reports" / slug(force) / quiet.isoformat()).exists()
    assert [p.name for p in (var / "reports" / slug(force)).iterdir()] == [day.isoformat()]


# ---------------------------------------------------------------- backfill


def test_backfill_of_a_period_twice_changes_nothing(copy_of_built, frozen_project):
    var = copy_of_built
    assert published_value(var) == 140228
    land_changed_workforce(var, dt.date(2026, 1, 15))
    later = land_changed_workforce(var, dt.date(2026, 3, 1), extra_fte=5000)  # outside the window

    first = run_pcp("backfill", "--start", "2026-01-01", "--end", "2026-01-31", "--domain", "workforce", var=var)
    assert "published version" in first.stdout
    assert published_value(var) == 140278 and published_value(var, "E23000029") is not None
    files = {r[0] for r in query_published(var, "select source_file from meta.loads")}
    assert "workforce_revised.csv" in files
    assert len([f for f in (var / "landing" / WORKFORCE_TABLE).rglob("*.csv")]) == 2 and later.exists()

    digest = file_digest(var / "warehouse.duckdb")
    versions = sorted(p.name for p in (var / "published").glob("*.duckdb"))
    second = run_pcp("backfill", "--start", "2026-01-01", "--end", "2026-01-31", "--domain", "workforce", var=var)
    assert "already loaded" in second.stdout and "unchanged" in second.stdout
    assert file_digest(var / "warehouse.duckdb") == digest
    assert sorted(p.name for p in (var / "published").glob("*.duckdb")) == versions
    assert published_value(var) == 140278  # the March file (+5000) was outside the window


# ---------------------------------------------------------------- a real scheduler, end to end


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_landed_file_flows_to_published_mart_under_the_scheduler(copy_of_built, frozen_project, tmp_path):
    var = copy_of_built
    home = tmp_path / "airflow"
    port = free_port()
    env = {
        **airflow_env(home, var),
        "AIRFLOW_PORT": str(port),
        # only these run by themselves; the other ingests stay paused so the test does one thing
        "PCP_AIRFLOW_UNPAUSE": "^(ingest_workforce|transform_publish)$",
    }
    base = f"http://127.0.0.1:{port}"
    before_version = _publications(var)
    pgid = None

    def server_log() -> str:
        return _tail_logs(home)

    try:
        started = time.monotonic()
        start = airflow_script("start", env)
        assert start.returncode == 0, start.stdout + start.stderr + server_log()
        print(f"\nfirst start (PostgreSQL initdb, migrate, components): {time.monotonic() - started:.0f} s")
        assert f"127.0.0.1:{port}" in start.stdout and "PostgreSQL" in start.stdout
        pgid = (home / "airflow.pgid").read_text().strip()
        assert _postgres_pids(home)
        api = _api(home, base)
        _wait(
            lambda: api.get(f"{base}/api/v2/dags/transform_publish", timeout=30).status_code == 200,
            180,
            "DAGs registered",
        )

        landed_at = time.monotonic()
        land_changed_workforce(var, dt.date.today())
        manual = _trigger(api, base, "ingest_workforce")  # what the UI's Trigger button sends

        # While that run's task starts (the supervisor reports to the API server, which writes the
        # metadata DB), a user triggers another DAG from the UI: on SQLite this waited for the
        # database lock (30-60 s) or failed with 500. `workforce` is paused here, so its run only waits.
        task = f"{base}/api/v2/dags/ingest_workforce/dagRuns/{quote(manual, safe='')}/taskInstances/load_and_validate"
        _wait(
            lambda: api.get(task, timeout=30).json().get("state") in {"queued", "running"},
            900,
            "the manual ingest_workforce task starting",
            on_timeout=server_log,
            every=0.2,
        )
        asked = time.monotonic()
        _trigger(api, base, "workforce")
        answered = time.monotonic() - asked
        print(f"REST trigger during a task start answered in {answered:.2f} s")
        assert answered < 5, f"the API server took {answered:.1f} s to trigger a run during a task start"

        _wait(
            lambda: published_value(var) == 140278, 1200, "published mart shows the landed file", on_timeout=server_log
        )
        latency = time.monotonic() - landed_at
        print(f"file landed -> published mart: {latency:.1f} s")  # reported, never asserted

        # Unpausing also starts the latest daily run (05:00 UTC), which may publish the file first (it
        # takes everything since the high-water mark); the ingest's asset must still trigger a run.
        _wait(
            lambda: any(
                x["state"] == "success"
                for x in _runs(api, base, "transform_publish")
                if x["run_type"] == "asset_triggered"
            ),
            300,
            "asset-triggered run marked success",
        )
        assert len(_publications(var)) > len(before_version)
        assert published_value(var, "E23000029") is not None

        # An ingest DAG runs one run at a time, so the scheduled run and the manual one go in either
        # order; both must be over before the next landings, or a late one (not a backfill, so not
        # bounded by an interval) would load them too.
        def ingests_over() -> bool:
            runs = _runs(api, base, "ingest_workforce")
            return any(x["dag_run_id"] == manual and x["state"] == "success" for x in runs) and not {
                x["state"] for x in runs
            } & {"queued", "running"}

        _wait(ingests_over, 600, "every ingest_workforce run over", on_timeout=server_log)

        # `airflow backfill create` (docs/airflow.md): the scheduler runs it, and a backfill run loads
        # only the files landed in its data interval. Workforce runs on 15 Jan and 15 Jul, so the run
        # for 15 Jul 2025 covers files landed up to 15 Jan 2026: the 1 Aug 2025 file, not 1 Mar 2026.
        land_changed_workforce(var, dt.date(2025, 8, 1), extra_fte=80)
        land_changed_workforce(var, dt.date(2026, 3, 1), extra_fte=5000)
        airflow(
            "backfill",
            "create",
            "--dag-id",
            "ingest_workforce",
            "--from-date",
            "2025-07-01",
            "--to-date",
            "2025-07-31",
            "--reprocess-behavior",
            "completed",
            env=env,
        )
        _wait(
            lambda: (
                [x["state"] for x in _runs(api, base, "ingest_workforce") if x["run_type"] == "backfill"] == ["success"]
            ),
            600,
            "backfill run marked success",
            on_timeout=server_log,
        )
        _wait(
            lambda: dt.date(2025, 8, 1) in _landed_vintages(var),
            600,
            "backfilled file published",
            on_timeout=server_log,
        )
        assert dt.date(2026, 3, 1) not in _landed_vintages(var)  # outside the backfill's interval
        assert published_value(var) == 140278  # the edition landed today is later than the backfilled one

        # Only this machine: every TCP socket that Airflow listens on is on 127.0.0.1 (no log servers on
        # 0.0.0.0:8793/8794), and PostgreSQL has none at all (Unix socket only).
        listening = _listening(_group_pids(int(pgid)))
        assert listening and all(ip == "127.0.0.1" for _, ip, _ in listening), listening
        assert port in {p for _, _, p in listening}
        assert not _listening(_postgres_pids(home))
        # Only its owner: password file, metadata DB files, task logs, component logs, config.
        assert list((home / "logs").rglob("attempt=*.log")) and (home / "postgres" / "PG_VERSION").exists()
        assert _readable_by_others(home) == []

        # A user's pause is respected: paused from the UI (PATCH is_paused), it stays paused after a restart.
        assert (
            api.patch(f"{base}/api/v2/dags/transform_publish", json={"is_paused": True}, timeout=30).status_code == 200
        )
        assert airflow_script("stop", env).returncode == 0
        restart = airflow_script("start", env)
        assert restart.returncode == 0, restart.stdout + restart.stderr + server_log()
        pgid = (home / "airflow.pgid").read_text().strip()
        api = _api(home, base)
        paused = {
            d: api.get(f"{base}/api/v2/dags/{d}", timeout=30).json()["is_paused"]
            for d in ("transform_publish", "ingest_workforce")
        }
        assert paused == {"transform_publish": True, "ingest_workforce": False}
    finally:
        stop = airflow_script("stop", env, timeout=120)
        assert stop.returncode == 0, stop.stderr
    assert not (home / "airflow.pgid").exists() and pgid
    groups = subprocess.run(["ps", "-eo", "pgid="], capture_output=True, text=True).stdout.split()
    assert pgid not in groups, "processes of the Airflow process group survived airflow-stop"
    assert not _postgres_pids(home), "PostgreSQL survived airflow-stop"


def _api(home: Path, base: str) -> requests.Session:
    """A session logged in as the generated admin, as the UI is."""
    password = json.loads((home / "simple_auth_manager_passwords.json.generated").read_text())["admin"]
    token = requests.post(f"{base}/auth/token", json={"username": "admin", "password": password}, timeout=30).json()[
        "access_token"
    ]
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"
    return api


def _trigger(api: requests.Session, base: str, dag_id: str) -> str:
    """POST /api/v2/dags/{dag_id}/dagRuns, as the UI's Trigger button does; the new run's id."""
    r = api.post(f"{base}/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None}, timeout=60)
    assert r.status_code == 200, (r.status_code, r.text[-2000:])
    return r.json()["dag_run_id"]


def _group_pids(pgid: int) -> list[int]:
    pids = []
    for pid in psutil.pids():
        try:
            if os.getpgid(pid) == pgid:
                pids.append(pid)
        except ProcessLookupError:
            pass
    return pids


def _postgres_pids(home: Path) -> list[int]:
    """The postmaster serving this AIRFLOW_HOME's metadata DB, and its backends."""
    data = str(home / "postgres")
    for p in psutil.process_iter(["cmdline"]):
        if data in (p.info["cmdline"] or []):
            try:
                return [p.pid, *(c.pid for c in p.children(recursive=True))]
            except psutil.NoSuchProcess:
                return []
    return []


def _listening(pids: list[int]) -> list[tuple[int, str, int]]:
    """(pid, address, port) of every TCP socket these processes listen on."""
    out = []
    for pid in pids:
        try:
            conns = psutil.Process(pid).net_connections(kind="inet")
        except psutil.NoSuchProcess:
            continue
        out += [(pid, c.laddr.ip, c.laddr.port) for c in conns if c.status == psutil.CONN_LISTEN]
    return out


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _readable_by_others(folder: Path) -> list[str]:
    return [f"{p} {oct(_mode(p))}" for p in [folder, *folder.rglob("*")] if not p.is_symlink() and _mode(p) & 0o077]


def _runs(api: requests.Session, base: str, dag_id: str) -> list[dict]:
    return api.get(f"{base}/api/v2/dags/{dag_id}/dagRuns", timeout=30).json()["dag_runs"]


def _landed_vintages(var: Path) -> set:
    """Vintages (landing dates) of the workforce loads in the published file."""
    return {
        r[0]
        for r in query_published(
            var, "select vintage from meta.loads where source_table = ? and status = 'accepted'", [WORKFORCE_TABLE]
        )
    }


def _publications(var: Path) -> list:
    return query_published(var, "select version from meta.publications order by version")


def _wait(cond, timeout: float, what: str, on_timeout=None, every: float = 1) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if cond():
                return
        except (requests.RequestException, duckdb.Error):
            pass
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for: {what}\n{on_timeout() if on_timeout else ''}")


def _tail_logs(home: Path, n: int = 40) -> str:
    """The last lines of each component's log (api-server, scheduler, dag-processor, triggerer, postgres)."""
    return (
        "\n".join(
            f"--- {p.name}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-n:])
            for p in sorted(home.glob("*.log"))
        )
        or f"(no logs in {home})"
    )
