"""Person-level ids are never pseudonymised with the public development key unless they are SAMPLE ids."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest


def _specials_file(tmp_path, month: int = 1):
    from warehouse import samples

    files = list(
        samples.write_feed(
            "specials",
            ["Leicestershire"],
            dt.date(2022, month, 1),
            dt.date(2022, month, 28),
            42,
            tmp_path / "feed",
            1.0,
        )
    )
    assert len(files) == 1
    return files[0]


def test_real_person_level_ids_are_refused_without_a_key(var_dir, tmp_path, monkeypatch):
    from warehouse.core import contracts, db
    from warehouse.ingest import load, pseudonymise

    monkeypatch.delenv("PCP_PSEUDONYM_KEY", raising=False)
    sample_contract = contracts.get("force_feeds__specials_monthly")
    real = dataclasses.replace(
        sample_contract,
        meta={**sample_contract.meta, "is_sample": False},
        spec=sample_contract.spec.model_copy(update={"is_sample": False}),
    )
    path = _specials_file(tmp_path)
    with db.writer() as con:
        with pytest.raises(
            pseudonymise.PseudonymKeyError,
            match="PCP_PSEUDONYM_KEY is not set: refusing to pseudonymise the person-level ids of "
            "force_feeds__specials_monthly with the public development key",
        ):
            load.load_file(con, real, path)
        assert con.execute("select count(*) from meta.loads where status = 'accepted'").fetchone()[0] == 0

        monkeypatch.setattr(pseudonymise, "_warned", True)  # the SAMPLE file itself still loads with the dev key
        assert load.load_file(con, sample_contract, path).status == "loaded"

    monkeypatch.setenv("PCP_PSEUDONYM_KEY", "a-secret-kept-elsewhere")
    with db.writer() as con:  # with a secret key, real ids load
        assert load.load_file(con, real, _specials_file(tmp_path / "february", 2)).status == "loaded"


# --- no raw row content in any message (warehouse/core/safe_messages.py) ----------------------------------

REF = "CR-2024-987654"  # a recognisable call reference on the bad row (data row 5)
CALLS = "force_feeds__calls"


def _calls_variants(tmp_path):
    """A SAMPLE Thames Valley call log for a month the shared build holds (so a clean variant is a
    restatement), and files DuckDB or the loader cannot read on the row holding REF, each a
    different way: (name, bytes, what the message must name)."""
    from warehouse import samples

    [f] = samples.write_feed(
        "calls",
        ["Thames Valley"],
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 1),
        42,
        tmp_path / "feed",
        samples.DEFAULT_CONTACT_SCALE,
    )
    lines = f.read_text().splitlines()
    header, rows = lines[0], lines[1:]
    rows[4] = REF + rows[4][rows[4].index(",") :]  # data row 5 = line 6
    name = f.name

    def csv(rs, head=True):
        return ("\n".join(([header] if head else []) + rs) + "\n").encode("utf-8", "surrogateescape")

    bad = rows[4]
    fields = bad.split(",")
    return [
        (
            "ragged_" + name,
            csv(rows[:4] + [bad + ",surplus"] + rows[5:]),
            ["line 6 (data row 5)", "10 fields where the contract has 9 columns"],
        ),
        (
            "quote_" + name,
            csv(rows[:4] + ['"' + bad] + rows[5:]),
            ["line 6 (data row 5), column call_id", "a quoted field is never closed"],
        ),
        (
            "bytes_" + name,
            csv(rows[:4] + [bad.replace(REF, REF + "\udcff", 1)] + rows[5:]),
            ["line 6 (data row 5), column call_id", "not UTF-8"],
        ),
        ("headerless_" + name, csv([bad] + rows[5:], head=False), ["header (row 0)", "missing column(s) ['call_id'"]),
        (
            "count_" + name,
            csv(rows[:4] + [",".join(fields[:-1] + ["3O0"])] + rows[5:]),
            ["rows quarantined"],
        ),  # row, column and value: meta.quarantine, below
        (
            "twice_" + name,
            csv(rows[:5] + [bad] + rows[5:]),
            ["rows quarantined", "expect_column_values_to_be_unique failed on column call_id", "rows 5, 6"],
        ),
    ]


def test_no_message_alert_or_status_repeats_a_raw_row(copy_of_built, tmp_path):
    """Six files that fail six ways on the row holding a call reference, through the real `pcp build`:
    the reference (and its pseudonym) is in no message: meta.loads in the working and the published
    file, meta.quarantine, the alerts, the logs, the build's output, `pcp status`; while each message
    names the file, the row and the column."""
    import duckdb

    from conftest import run_pcp
    from warehouse.ingest import pseudonymise

    var = copy_of_built
    variants = _calls_variants(tmp_path)
    for i, (name, data, _) in enumerate(variants):
        folder = var / "landing" / CALLS / (dt.date.today() - dt.timedelta(days=len(variants) - i)).isoformat()
        folder.mkdir(parents=True)
        (folder / name).write_bytes(data)

    build = run_pcp("build", "--accept-moves", var=var, check=False)
    assert build.returncode == 2, build.stdout + build.stderr  # four refused, the rest published
    assert "Traceback" not in build.stderr
    status = run_pcp("status", var=var)

    secret = pseudonymise.pseudonym(REF, pseudonymise.DEVELOPMENT_KEY.encode())
    texts = {"build stdout": build.stdout, "build stderr": build.stderr, "pcp status": status.stdout}
    for label in ("build/working.duckdb", "warehouse.duckdb"):
        with duckdb.connect(str(var / label), read_only=True) as con:
            messages = dict(
                con.execute(
                    "select source_file, message from meta.loads where source_file like ?",
                    ["%_calls_E23000029_2026-10.csv"],
                ).fetchall()
            )
            # the analysts' file holds meta.quarantine without the refused cell's text (split storage)
            value = "value" if label.startswith("build/") else "null as value"
            quarantined = con.execute(
                f"select file, row_number, column_name, {value}, reason from meta.quarantine "
                "where file like ? order by all",
                ["%_calls_E23000029_2026-10.csv"],
            ).fetchall()
        texts[f"{label} meta.loads.message"] = "\n".join(f"{k}: {v}" for k, v in messages.items())
        texts[f"{label} meta.quarantine"] = "\n".join(map(str, quarantined))
        assert [q[:4] for q in quarantined if q[0].startswith(("count_", "twice_"))] == [
            (variants[4][0], 5, "answer_target_seconds", "3O0" if label.startswith("build/") else None),
            (variants[5][0], 5, "call_id", None),
            (variants[5][0], 6, "call_id", None),
        ]
        for name, _, says in variants:
            assert messages.get(name), (label, name, messages)
            for text in says:
                assert text in messages[name], (label, name, text, messages[name])
    for f in [*(var / "alerts").iterdir(), *(var / "logs").glob("*"), *(var / "dbt" / "logs").glob("*")]:
        if f.is_file():
            texts[str(f.relative_to(var))] = f.read_text(errors="replace")
    assert "alerts/failures.jsonl" in texts
    assert _mode(var / "alerts") == _mode(var / "dbt" / "logs") == 0o700
    assert {_mode(f) for f in [*(var / "alerts").iterdir(), *(var / "dbt" / "logs").iterdir()]} == {0o600}
    for label, text in texts.items():
        assert REF not in text, f"{label} repeats the raw row:\n{text}"
        assert secret not in text, f"{label} repeats the pseudonym"
    for name, _, _ in variants[:4]:  # the refused ones: named with their row in the build's stderr and the alert
        assert name in build.stderr and name in texts["alerts/failures.jsonl"]
    assert "line 6 (data row 5), column call_id" in texts["alerts/failures.jsonl"]
    assert "ragged_" in status.stdout and "line 6 (data row 5)" in status.stdout


def _duckdb_errors(tmp_path):
    """(what, DuckDB's own error, file) for ways DuckDB fails on a row holding REF: CSV parse errors
    (past the 64 KiB the loader checks itself), casts, a parse with a format, a constraint."""
    import duckdb

    from warehouse.core import contracts
    from warehouse.ingest.readers.csv_file import SCAN

    names = contracts.get(CALLS).column_names
    good = "E23000029-1,E23000029,101,2024-01-01 10:00:00,,2024-01-01 10:05:00,abandoned,,300\n"
    bad = f"{REF},E23000029,101,2024-01-01 10:00:00,,2024-01-01 10:05:00,abandoned,,300"
    pad = good * 1000  # the bad row is data row 1001, line 1002
    rows = {
        "ragged": bad + ",surplus\n",
        "quote": '"' + bad + "\n",
        "bytes": bad.replace(REF, REF + "\udcff") + "\n",
        "text after a quote": bad.replace(REF, f'"{REF}"x') + "\n",
    }
    con = duckdb.connect()
    out = []
    for what, row in rows.items():
        f = tmp_path / f"{what.replace(' ', '_')}_calls_E23000029_2024-01.csv"
        f.write_bytes((",".join(names) + "\n" + pad + row + good).encode("utf-8", "surrogateescape"))
        with pytest.raises(duckdb.Error) as e:
            con.sql(
                f"select * from {SCAN}", params=[str(f), {f"c{i}": "VARCHAR" for i in range(len(names))}]
            ).fetchall()
        out.append((what, e.value, f))
    con.execute("create table t (call_id varchar primary key, n int)")
    con.execute("insert into t values (?, 1)", [REF])
    for what, sql, params in [
        ("cast", "select ?::integer", [REF]),
        ("date cast", "select ?::date", [REF]),
        ("strptime", "select strptime(?, '%Y-%m')", [REF]),
        ("constraint", "insert into t values (?, 2)", [REF]),
        ("out of range", f"select {REF.split('-')[-1]}0000000::bigint::tinyint", []),
    ]:
        with pytest.raises(duckdb.Error) as e:
            con.execute(sql, params).fetchall()
        out.append((what, e.value, tmp_path / "calls_E23000029_2024-01.csv"))
    return out


def test_duckdb_errors_become_messages_naming_line_column_and_kind_without_the_row(tmp_path):
    """DuckDB's texts repeat the row or value (checked here, so the test fails if DuckDB stops doing
    so); read_error and scrub keep the position and the kind and drop the content."""
    from warehouse.core import contracts, safe_messages

    calls = contracts.get(CALLS)
    expected = {
        "ragged": "line 1002 (data row 1001): 10 fields where the contract has 9 columns",
        "quote": "line 1002 (data row 1001), column call_id: a quoted field is never closed",
        "bytes": "line 1002 (data row 1001), column call_id: bytes that are not UTF-8",
        "text after a quote": "line 1002 (data row 1001)",
        "cast": "Conversion Error",
        "date cast": "Conversion Error",
        "strptime": "Could not parse string <withheld> according to format specifier",
        "constraint": "Constraint Error",
        "out of range": "with value <withheld>",
    }
    for what, error, path in _duckdb_errors(tmp_path):
        raw = str(error)
        assert REF in raw or REF.split("-")[-1] in raw, (what, raw)
        message = safe_messages.read_error(error, path, calls)
        assert message.startswith(f"{path.name}: could not be read as {CALLS}: ")
        assert expected[what] in message, (what, message)
        for text in (message, safe_messages.scrub(raw), safe_messages.scrub(f"RuntimeError: wrapped: {raw}")):
            assert REF not in text and REF.split("-")[-1] not in text, (what, text)
    assert (
        safe_messages.scrub("census.csv: unknown force name 'Surry' (nearest known: Surrey)")
        == "census.csv: unknown force name 'Surry' (nearest known: Surrey)"
    )  # the pipeline's own echo-safe text stays


def test_person_level_columns_are_marked_in_the_contract_and_never_echoed():
    from warehouse.core import contracts, safe_messages

    marked = {
        (t, c.name) for t, k in contracts.all_contracts().items() for c in k.columns if c.meta.get("person_level")
    }
    assert {(CALLS, "call_id"), ("force_feeds__specials_monthly", "special_id")} <= marked
    for table, column in marked:
        contract = contracts.get(table)
        assert safe_messages.value(contract, column, REF) == safe_messages.WITHHELD
        assert safe_messages.stored_value(contract, column, REF) is None
    area = contracts.get(CALLS)
    assert safe_messages.value(area, "area_code", "E23999999") == "'E23999999'"  # echo-safe: says what to fix
    assert safe_messages.stored_value(
        contracts.get("force_feeds__specials_monthly"),
        "month, area_code, special_id",
        {"month": "2024-01-01", "special_id": REF},
    ) == {"month": "2024-01-01"}


def test_airflow_failure_and_alerts_carry_no_raw_row(var_dir, tmp_path):
    """What reaches the Airflow task log (the AirflowFailException) and the alert from a failure whose
    text came straight from DuckDB."""
    from airflow.sdk.exceptions import AirflowFailException

    from warehouse.core.errors import BadDataError
    from warehouse.orchestrate import alerts, tasks

    _, raw, _ = _duckdb_errors(tmp_path)[0]

    def fails():
        raise BadDataError(f"calls.csv: {raw}")

    with pytest.raises(AirflowFailException) as e:
        tasks._fail_on_bad_data(fails)
    assert REF not in str(e.value) and e.value.__cause__ is None and "calls.csv" in str(e.value)
    entry = alerts.record_failure(dag_id="d", task_id="t", run_id="r", try_number=1, error=RuntimeError(str(raw)))
    assert REF not in entry["error"] and REF not in alerts.failures_file().read_text()


def _mode(path) -> int:
    import stat

    return stat.S_IMODE(path.stat().st_mode)


def test_alert_and_log_files_are_readable_by_their_owner_only(var_dir):
    """Alerts (even a file an older version left 0644), the seen-problems list and the error log:
    0600 in 0700 folders whatever the umask. dbt's log folder: the end-to-end test above."""
    import os

    from warehouse import cli
    from warehouse.orchestrate import alerts

    old = os.umask(0o022)
    try:
        f = alerts.failures_file()
        f.parent.mkdir(parents=True)
        f.write_text("")
        f.chmod(0o644)
        alerts.record_failure(dag_id="d", task_id="t", run_id="r", try_number=1, error="x")
        alerts.record_input_problem("calls/x.csv#load1", "x.csv: rejected")
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            log = cli._log_traceback("build")
    finally:
        os.umask(old)
    assert _mode(f.parent) == 0o700 and _mode(f) == 0o600
    assert _mode(f.with_name("input_problems_seen.json")) == 0o600
    assert log == str(var_dir / "logs" / "pcp-errors.log")
    assert _mode(var_dir / "logs") == 0o700 and _mode(var_dir / "logs" / "pcp-errors.log") == 0o600
    assert "RuntimeError: boom" in (var_dir / "logs" / "pcp-errors.log").read_text()


def test_a_message_stored_by_an_older_version_is_scrubbed_before_the_next_publish(var_dir, tmp_path):
    from warehouse.core import db, safe_messages
    from warehouse.orchestrate import held, pipeline

    _, raw, _ = _duckdb_errors(tmp_path)[0]
    pipeline.ensure_working()
    with db.writer() as con:
        con.execute(
            "insert into meta.loads (load_id, source_table, source_file, sha256, is_sample, rows_read, "
            "loaded_at, status, message) values (7, 'force_feeds__calls', 'calls.csv', 'x', true, 0, "
            "now()::timestamp, 'rejected', ?)",
            [f"calls.csv: could not be read as force_feeds__calls: {raw}"],
        )
        assert REF not in str(held.outstanding(con)[0])  # `pcp status` and the build list it scrubbed
        assert safe_messages.scrub_stored(con) == 1
        [(message,)] = con.execute("select message from meta.loads").fetchall()
    assert REF not in message and "CSV Error on Line: 1002" in message
