"""The batched loader (load.load_files) against the file-by-file one (load.load_file): the same raw rows
(``_row_number`` included), the same meta.loads, quarantine and error messages; and files already
loaded are not read again unless their size or mtime changed."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pytest

from warehouse import samples
from warehouse.core import contracts, db
from warehouse.core.errors import BadDataError
from warehouse.ingest import load

VINTAGE = dt.date(2022, 4, 7)
FORCES = ["Thames Valley", "Leicestershire", "Dyfed-Powys"]


def _feed(feed: str, out: Path, scale: float = 0.01) -> list[Path]:
    return sorted(samples.write_feed(feed, FORCES, dt.date(2022, 1, 1), dt.date(2022, 3, 31), 11, out, scale))


def _one_by_one(contract, files, path: Path) -> tuple[list[str], str | None]:
    """What ingest did before load_files: load_file per file, stopping at the first bad one."""
    out = []
    with db.writer(path) as con:
        for f in files:
            try:
                out.append(str(load.load_file(con, contract, f, VINTAGE)))
            except BadDataError as e:
                return out, str(e)
    return out, None


def _batched(contract, files, path: Path, one_by_one: list[str]) -> tuple[list[str], str | None]:
    """load_files; ``one_by_one`` collects the files it handed to load_file (all others were batched)."""
    real = load.load_file

    def spy(con, contract, path, *args, **kwargs):
        one_by_one.append(Path(path).name)
        return real(con, contract, path, *args, **kwargs)

    load.load_file = spy
    try:
        with db.writer(path) as con:
            try:
                return [str(r) for r in load.load_files(con, contract, [(f, VINTAGE) for f in files])], None
            except BadDataError as e:
                return [], str(e)
    finally:
        load.load_file = real


def _state(path: Path, table: str) -> dict[str, list]:
    """Everything a load writes, in a stable order, without the clock."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        has_raw = con.execute(
            "select count(*) from information_schema.tables where table_schema = 'raw' and table_name = ?", [table]
        ).fetchall()[0][0]
        return {
            "raw": con.execute(
                f"select * exclude (_loaded_at) from raw.{table} order by _load_id, _row_number"
            ).fetchall()
            if has_raw
            else [],
            "loads": con.execute(
                "select load_id, source_file, sha256, vintage, is_sample, rows_read, status, message, "
                "file_bytes from meta.loads order by load_id"
            ).fetchall(),
            "quarantine": con.execute(
                "select load_id, file, row_number, column_name, value, reason from meta.quarantine order by all"
            ).fetchall(),
        }
    finally:
        con.close()


def _same_both_ways(
    contract, files, tmp_path, one_by_one: list[str] | None = None
) -> tuple[list[str], str | None, dict]:
    one, batch = tmp_path / "one.duckdb", tmp_path / "batch.duckdb"
    expected = _one_by_one(contract, files, one)
    got = _batched(contract, files, batch, [] if one_by_one is None else one_by_one)
    if expected[1] is not None:  # the batch raises at the same file: what loaded before it is the same
        assert got[1] == expected[1]
    else:
        assert got == expected
    state = _state(one, contract.table)
    assert _state(batch, contract.table) == state
    return expected[0], expected[1], state


@pytest.mark.parametrize("feed", ["calls", "digital_contacts"])  # readers pseudonymised_csv and csv
def test_batched_load_equals_file_by_file_row_for_row(feed, tmp_path):
    contract = contracts.get(samples.FEEDS[feed][1])
    files = _feed(feed, tmp_path / "gen")
    one_by_one = []
    results, error, state = _same_both_ways(contract, files, tmp_path, one_by_one)
    assert error is None and len(results) == len(files) == 9
    assert one_by_one == []  # all nine in one batch
    assert len(state["raw"]) > 9 * 100
    # _row_number is the data row in the file: 1..n in each load, n = the file's data lines
    con = duckdb.connect(str(tmp_path / "batch.duckdb"), read_only=True)
    per_load = con.execute(
        f"select _source_file, min(_row_number), max(_row_number), count(*) from raw.{contract.table} group by all"
    ).fetchall()
    con.close()
    lines = {f.name: len(f.read_text().splitlines()) - 1 for f in files}
    assert {name: (lo, hi, n) for name, lo, hi, n in per_load} == {n: (1, k, k) for n, k in lines.items()}


def _edit(src: Path, dst: Path, row: int, column: str, value: str) -> Path:
    lines = src.read_text().splitlines(keepends=True)
    header = [h.strip('"') for h in lines[0].strip().split(",")]
    fields = lines[row].rstrip("\n").split(",")
    fields[header.index(column)] = value
    lines[row] = ",".join(fields) + "\n"
    dst.write_text("".join(lines))
    return dst


def test_bad_files_get_the_file_by_file_messages_and_quarantine(tmp_path, monkeypatch):
    (tmp_path / "limits.yml").write_text("quarantine:\n  default_max_bad_share: 0.02\n")
    monkeypatch.setenv("PCP_RELIABILITY_FILE", str(tmp_path / "limits.yml"))
    contract = contracts.get("force_feeds__calls")
    files = _feed("calls", tmp_path / "gen")
    bad = tmp_path / "bad"
    bad.mkdir()
    quarantined = _edit(files[1], bad / "a_one_bad_value.csv", 5, "answer_target_seconds", "3OO")
    formula = _edit(files[2], bad / "b_formula.csv", 7, "outcome", "=HYPERLINK(1)")
    header_only = bad / "c_header_only.csv"
    header_only.write_text(files[0].read_text().splitlines()[0] + "\n")
    ragged = _edit(files[3], bad / "d_ragged.csv", 4, "line", "101,extra")

    # quarantined rows and a formula in the middle of clean files: loaded, with the same quarantine rows
    one_by_one = []
    results, error, state = _same_both_ways(
        contract, [files[0], quarantined, formula, *files[4:6]], tmp_path / "q", one_by_one
    )
    assert error is None and len(state["quarantine"]) == 2
    assert one_by_one == [quarantined.name, formula.name]  # the clean files around them were batched
    assert [r[2] for r in state["quarantine"]] == [5, 7]  # the data row numbers in their files

    # a file with no data rows stops the load where load_file stopped it, with its message
    _, error, state = _same_both_ways(contract, [files[0], header_only, files[6]], tmp_path / "empty")
    assert "c_header_only.csv: the file has a header but no data rows" in error
    assert [s[6] for s in state["loads"]] == ["pending", "rejected"]

    # a row DuckDB cannot read fails the batch's scan: each file is then loaded alone, for its message
    one_by_one = []
    _, error, state = _same_both_ways(contract, [files[0], files[7], ragged, files[8]], tmp_path / "ragged", one_by_one)
    assert one_by_one == [files[0].name, files[7].name, ragged.name]
    assert "d_ragged.csv" in error and [s[6] for s in state["loads"]] == ["pending", "pending", "rejected"]

    # once rejected, rejected again with the same message; the files around it as before
    with db.writer(tmp_path / "ragged" / "batch.duckdb") as con:
        with pytest.raises(BadDataError, match="d_ragged.csv was rejected before"):
            load.load_files(con, contract, [(f, VINTAGE) for f in (files[0], ragged, files[8])])


def test_the_same_bytes_twice_in_one_batch_load_once(tmp_path):
    contract = contracts.get("force_feeds__digital_contacts")
    files = _feed("digital_contacts", tmp_path / "gen")
    copy = tmp_path / "copy.csv"
    copy.write_bytes(files[0].read_bytes())
    results, error, state = _same_both_ways(contract, [files[0], copy, files[1]], tmp_path)
    assert error is None and "copy.csv already loaded (same sha256)" in results[1]
    assert len(state["loads"]) == 2


def test_files_already_loaded_are_not_read_again(var_dir, monkeypatch):
    contract = contracts.get("force_feeds__digital_contacts")
    files = _feed("digital_contacts", var_dir / "gen")
    with db.writer() as con:
        first = load.load_files(con, contract, [(f, VINTAGE) for f in files])
    assert {r.status for r in first} == {"loaded"}

    hashed = []
    real = load.sha256_of
    monkeypatch.setattr(load, "sha256_of", lambda p: hashed.append(Path(p).name) or real(p))
    with db.writer() as con:
        again = load.load_files(con, contract, [(f, VINTAGE) for f in files])
    assert hashed == [] and [r.load_id for r in again] == [r.load_id for r in first]
    assert {r.status for r in again} == {"unchanged"}

    st = files[0].stat()
    os.utime(files[0], ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # touched: hashed again, same content
    files[1].write_bytes(files[1].read_bytes().rstrip(b"\r\n").rsplit(b"\n", 1)[0] + b"\n")  # a row fewer: new
    with db.writer() as con:
        third = load.load_files(con, contract, [(f, VINTAGE) for f in files])
    assert sorted(hashed) == sorted([files[0].name, files[1].name])
    assert [r.status for r in third[:3]] == ["unchanged", "loaded", "unchanged"]
    with db.writer() as con:
        assert con.execute(
            "select source_path, file_bytes, file_mtime_ns from meta.loads where load_id = ?", [third[1].load_id]
        ).fetchall() == [(str(files[1].absolute()), files[1].stat().st_size, files[1].stat().st_mtime_ns)]


def test_row_numbers_hold_when_a_large_batch_is_written_on_every_thread(tmp_path):
    """The batch insert writes rows in any order (preserve_insertion_order off, so every thread
    writes): each stored row still carries its own data line in its own file, checked call by call
    on files several DuckDB row groups long."""
    from warehouse.ingest import pseudonymise

    contract = contracts.get(samples.FEEDS["calls"][1])
    files = sorted(
        samples.write_feed(
            "calls", ["Thames Valley", "Leicestershire"], dt.date(2022, 1, 1), dt.date(2022, 2, 28), 5, tmp_path, 1.5
        )
    )
    expected = set()
    for f in files:
        ids = [line.split(",", 1)[0].strip('"') for line in f.read_text().splitlines()[1:]]
        expected |= {(f.name, p, i) for i, p in enumerate(pseudonymise.pseudonyms(ids), start=1)}
    assert len(expected) > 250_000
    with db.writer(tmp_path / "w.duckdb") as con:
        load.load_files(con, contract, [(f, VINTAGE) for f in files])
        stored = set(con.execute(f"select _source_file, call_id, _row_number from raw.{contract.table}").fetchall())
    assert stored == expected
