"""Raw loads: append-only, one ``load_id`` per file, idempotent by content (sha256).

A file's rows land in ``raw.<table>`` with status ``pending``; the quality gate then marks the load
``accepted`` or ``rejected``. Staging reads accepted loads only, so rejected rows stay in raw for
audit but never reach a mart. A restated period arrives as a new load: raw keeps both versions and
staging takes the latest vintage per period.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import duckdb

from warehouse.core import safe_messages
from warehouse.core.contracts import Contract
from warehouse.core.errors import BadDataError, ContractError, QualityError
from warehouse.core.faults import fault_point
from warehouse.gate import input_limits, missing_values, quarantine, strict_values
from warehouse.ingest import local_time
from warehouse.ingest.readers import reader_for

META_COLUMNS = (
    ("_load_id", "BIGINT"),
    ("_row_number", "BIGINT"),
    ("_source_file", "VARCHAR"),
    ("_sha256", "VARCHAR"),
    ("_vintage", "DATE"),
    ("_is_sample", "BOOLEAN"),
    ("_loaded_at", "TIMESTAMP"),
)

# What a load records in meta.loads, in this order (one file: _record; a batch: _insert_in_transaction).
LOADS_COLUMNS = (
    "load_id, source_table, source_file, sha256, vintage, is_sample, rows_read, status, message, "
    "loaded_at, source_path, file_bytes, file_mtime_ns, file_ctime_ns"
)


@dataclass(frozen=True)
class LoadResult:
    table: str
    file: str
    load_id: int | None
    rows: int
    status: str  # loaded | unchanged | rejected (this build) | held (rejected before) | dropped
    message: str | None = None

    def __str__(self) -> str:
        if self.status == "unchanged":
            return f"{self.table}: {self.file} already loaded (same sha256), nothing to do"
        if self.status in ("rejected", "held"):
            first = (self.message or "").strip().splitlines()[0] if self.message else ""
            what = "REJECTED" if self.status == "rejected" else "still held (rejected before)"
            return f"{self.table}: {self.file} {what}, load {self.load_id}: {first}"
        if self.status == "dropped":
            return f"{self.table}: {self.file} was rejected and dropped (load {self.load_id}), not read"
        note = f" ({self.message})" if self.message else ""
        return f"{self.table}: loaded {self.rows:,} rows from {self.file} as load {self.load_id}{note}"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_raw_table(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """The contract's columns, META_COLUMNS, then (zoned contracts) the hidden exact instants
    ``_<column>_utc`` of times written with an offset (warehouse/ingest/local_time.py); a raw table
    made before those existed gains them (NULL for its old rows: local times, as they were read)."""
    hidden = [f'"{n}" TIMESTAMPTZ' for n in local_time.utc_columns(contract)]
    cols = [f'"{c.name}" {c.duckdb_type}' for c in contract.columns] + [f"{n} {t}" for n, t in META_COLUMNS]
    con.execute(f"create table if not exists raw.{contract.table} ({', '.join(cols + hidden)})")
    for h in hidden:
        con.execute(f"alter table raw.{contract.table} add column if not exists {h}")


def _stored_sql(contract: Contract, prefix: str = "") -> tuple[str, str]:
    """SQL for the contract's columns as raw stores them, and for the hidden columns after the meta
    ones (each with a leading comma; empty if none). A zoned timestamp is its London wall-clock time
    and, if written with an offset, its exact instant as well (warehouse/ingest/local_time.py)."""
    zoned = local_time.zoned(contract)
    cols, hidden = [], []
    for c in contract.columns:
        q = f'{prefix}"{c.name}"'
        if zoned and c.data_type == "timestamp":
            cols.append(local_time.wall_clock_sql(f"{q}::varchar"))
            hidden.append(", " + local_time.instant_sql(f"{q}::varchar"))
        else:
            cols.append(f"try_cast({q} as {c.duckdb_type})")
    return ", ".join(cols), "".join(hidden)


def _bad_sql(contract: Contract, c, found_type: str = "VARCHAR") -> tuple[str, str]:
    """SQL true for a value ``c`` must refuse, and the form expected (strict_values; a zoned
    contract's timestamps by local_time.TIMESTAMP_TEXT, which also checks any offset)."""
    if c.data_type == "timestamp" and local_time.zoned(contract) and found_type.upper() == "VARCHAR":
        return local_time.bad_text_sql(f'"{c.name}"'), local_time.EXPECTED
    return strict_values.bad_sql(c, found_type), strict_values.expected_form(c)


def _cast_failures(
    con: duckdb.DuckDBPyConnection, rel: duckdb.DuckDBPyRelation, path: Path, contract: Contract
) -> tuple[list[tuple[int, str, str, str]], list[str]]:
    """Values that do not cast to their contract type: quarantine rows, and a message per column."""
    con.register("_incoming", rel)
    found_types = {name: str(t) for name, t in zip(rel.columns, rel.types)}
    rows, messages = [], []
    try:
        for c in contract.columns:
            refused, form = _bad_sql(contract, c, found_types.get(c.name, "VARCHAR"))
            bad = con.execute(
                f'select _row_number, "{c.name}"::varchar from _incoming '
                f'where "{c.name}" is not null and {refused} '
                f"order by _row_number"
            ).fetchall()
            if bad:
                samples = "; ".join(f"row {r}: {safe_messages.value(contract, c.name, v)}" for r, v in bad[:5])
                messages.append(
                    f"{path.name}: column {c.name!r} expects {c.data_type} values ({form}) but "
                    f"{len(bad):,} row(s) are not: {samples}{_hint(v for _, v in bad)}"
                )
                rows += [(r, c.name, v, f"not a {c.data_type} value (expected {form}){_hint([v])}") for r, v in bad]
            if c.data_type == "varchar":  # text a spreadsheet would run when a report is opened
                bad = con.execute(
                    f'select _row_number, "{c.name}" from _incoming where regexp_matches("{c.name}", ?) '
                    f"order by _row_number",
                    [FORMULA],
                ).fetchall()
                if bad:
                    messages.append(
                        f"{path.name}: column {c.name!r}: {len(bad):,} row(s) hold formula-like text: "
                        + "; ".join(f"row {r}: {safe_messages.value(contract, c.name, v)}" for r, v in bad[:5])
                        + " (expected plain text, not starting with = + - @)"
                    )
                    rows += [
                        (r, c.name, v, "formula-like text (expected plain text, not starting with = + - @)")
                        for r, v in bad
                    ]
    finally:
        con.unregister("_incoming")
    return rows, messages


FORMULA = r"^\s*([=@]|[+-][A-Za-z(])"  # =HYPERLINK(...), @SUM(...), +cmd|..., -cmd; not "-5" or "+44"


def _hint(values) -> str:
    """Say what a familiar kind of bad number looks like, so the fix is obvious."""
    for v in values:
        t = str(v).strip()
        if t in ("[x]", "[c]", "[z]", "..", "*", ":", "-", "x") or t.endswith(("*", "]")):
            return " (a footnote or suppression marker where a number was expected)"
        if "," in t and t.replace(",", "").replace(".", "").lstrip("-").isdigit():
            return " (thousands separators: expected plain digits)"
        if t[:1] in ("=", "+", "@") and not t[1:2].isdigit():
            return " (spreadsheet formula text)"
    return ""


def _previous(con: duckdb.DuckDBPyConnection, table: str, sha: str):
    rows = con.execute(
        "select load_id, status, message, rows_read, resolution from meta.loads where source_table = ? and sha256 = ? "
        "order by load_id desc limit 1",
        [table, sha],
    ).fetchall()
    return rows[0] if rows else None


def load_file(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    path: Path,
    vintage: dt.date | None = None,
    is_sample: bool | None = None,
    sha: str | None = None,
) -> LoadResult:
    """Append one file to raw (status pending). Same content twice is a no-op. A file once rejected
    is held (warehouse/orchestrate/held.py): not read again, ``HeldError`` with the same message, until resolved
    (``retry`` reads it again, ``dropped`` gives a ``dropped`` result). ``sha``: the file's sha256 if
    the caller has it already (load_files). A new rejection raises ContractError with ``load_id`` set."""
    path = Path(path)
    st = path.stat()  # before hashing: a file changed after this is hashed again next time
    sha = sha or _known_files(con, contract.table).get(_stat_key(path, st)) or sha256_of(path)
    is_sample = contract.is_sample if is_sample is None else is_sample
    prev = _previous(con, contract.table, sha)
    if prev is not None:
        load_id, status, message, rows, resolution = prev
        if status == "rejected" and resolution == "dropped":
            return LoadResult(contract.table, path.name, load_id, 0, "dropped")
        if status == "rejected" and resolution is None:
            e = HeldError(
                f"{path.name} was rejected before (load {load_id}) and is held until resolved "
                f"(`pcp resolve {load_id} --retry` or `--drop`): {safe_messages.scrub(message)}"
            )
            e.load_id = load_id
            raise e
        if status != "rejected":
            return LoadResult(contract.table, path.name, load_id, rows or 0, "unchanged")

    ensure_raw_table(con, contract)
    load_id = con.execute("select nextval('meta.load_seq')").fetchall()[0][0]
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        input_limits.check(path, contract)
        rel = reader_for(contract)(con, path, contract)
        rel, missing = missing_values.apply(con, rel, contract)
        rows_read = rel.count("*").fetchall()[0][0]
        if rows_read == 0:
            raise ContractError(f"{path.name}: the file has a header but no data rows (contract {contract.table})")
        bad, messages = _cast_failures(con, rel, path, contract)
        too_many = quarantine.over_limit(contract.table, len({r for r, *_ in bad}), rows_read)
        if too_many:
            quarantine.record(con, load_id, contract.table, path.name, bad)  # kept for the record
            raise ContractError("\n".join(messages) + f"\n{path.name}: {too_many}")
    except ContractError as e:
        _record(con, load_id, contract, path, st, sha, vintage, is_sample, 0, "rejected", str(e), now)
        e.load_id = load_id
        raise
    except duckdb.Error as e:
        msg = safe_messages.read_error(e, path, contract)  # never DuckDB's copy of the row
        _record(con, load_id, contract, path, st, sha, vintage, is_sample, 0, "rejected", msg, now)
        raise _rejected(msg, load_id) from None
    casts, hidden = _stored_sql(contract)
    con.register("_incoming", rel)
    try:
        con.execute("begin")
        con.execute(
            f"insert into raw.{contract.table} select {casts}, ?, _row_number::bigint, ?, ?, ?, ?, ?{hidden} "
            "from _incoming",
            [load_id, path.name, sha, vintage, is_sample, now],
        )
        fault_point("load:inserted")
        rows = con.execute(f"select count(*) from raw.{contract.table} where _load_id = ?", [load_id]).fetchall()[0][0]
        quarantine.record(con, load_id, contract.table, path.name, bad)
        missing_values.record(con, load_id, missing)
        _record(con, load_id, contract, path, st, sha, vintage, is_sample, rows, "pending", None, now)
        con.execute("commit")
    except duckdb.Error as e:
        con.execute("rollback")
        msg = safe_messages.read_error(e, path, contract)  # never DuckDB's copy of the row
        _record(con, load_id, contract, path, st, sha, vintage, is_sample, 0, "rejected", msg, now)
        raise _rejected(msg, load_id) from None
    finally:
        con.unregister("_incoming")
    return LoadResult(
        contract.table,
        path.name,
        load_id,
        rows,
        "loaded",
        f"read as missing: {missing_values.describe(missing)}" if missing else None,
    )


class HeldError(QualityError):
    """The file's bytes were rejected before and nobody has resolved that yet (warehouse/orchestrate/held.py)."""

    load_id: int | None = None


def _rejected(msg: str, load_id: int) -> ContractError:
    e = ContractError(msg)
    e.load_id = load_id
    return e


def _one(con, contract: Contract, f, is_sample, keep_going: bool) -> LoadResult:
    """load_file for one file; with ``keep_going`` a refusal is a result (rejected or held), not an error,
    so the files after it still load."""
    try:
        return load_file(con, contract, f.path, f.vintage, is_sample, sha=f.sha)
    except BadDataError as e:
        if not keep_going:
            raise
        status = "held" if isinstance(e, HeldError) else "rejected"
        return LoadResult(contract.table, f.path.name, getattr(e, "load_id", None), 0, status, str(e))


@dataclass
class _File:
    path: Path
    vintage: dt.date | None
    sha: str | None = None
    st: os.stat_result | None = None
    batchable: bool = False  # new, and passed the reader's cheap checks


def load_files(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    files: list[tuple[Path, dt.date | None]],
    is_sample: bool | None = None,
    keep_going: bool = False,
) -> list[LoadResult]:
    """``load_file`` for each file in order, with the same results, rows, messages and quarantine, but
    for readers that can read many files at once (``reader.many``: csv, pseudonymised_csv) the new
    files cost one parallel scan to check them all and one insert, instead of a dozen statements each.

    Files are hashed in a thread pool (a file whose path, size and mtime match an accepted or pending
    load is not read again). Any file that is not plainly new and clean (rejected before, a failed
    check, a bad value, no data rows, a read error) goes through ``load_file`` in its place in the
    order, so the user sees exactly the message and quarantine ``load_file`` gives.

    ``keep_going``: a rejected or held file is a result (status rejected / held, with its message)
    and the files after it still load; otherwise the first refusal raises, as load_file does."""
    many = getattr(reader_for(contract), "many", None)
    if missing_values.declared(contract):
        many = None  # markers become NULL file by file (load_file), and each file says what it read so
    is_sample = contract.is_sample if is_sample is None else is_sample
    todo = [_File(Path(p), v) for p, v in files]
    if many is None:
        return [_one(con, contract, f, is_sample, keep_going) for f in todo]
    known, latest = _known_files(con, contract.table), _latest_loads(con, contract.table)

    def inspect(f: _File) -> None:
        try:
            f.st = f.path.stat()
            f.sha = known.get(_stat_key(f.path, f.st)) or sha256_of(f.path)
            if f.sha not in latest:
                input_limits.check(f.path, contract)
                many.check(f.path, contract)
                f.batchable = True
        except Exception:  # noqa: BLE001 - load_file meets it again and reports it as it always has
            f.batchable = False

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:  # hashlib and zlib free the GIL
        list(pool.map(inspect, todo))

    results: dict[int, LoadResult] = {}  # by id(_File): batched files finish after later unchanged ones
    batch: list[_File] = []

    def flush() -> None:
        results.update(zip([id(f) for f in batch], _load_batch(con, contract, batch, is_sample, many, keep_going)))
        batch.clear()

    for f in todo:
        prev = latest.get(f.sha)
        if prev is not None and prev[1] == "rejected" and prev[4] == "retry":
            prev = None  # resolved for another try: read as new
        if prev is not None and prev[1] != "rejected":
            load_id, _, _, rows, _ = prev
            results[id(f)] = LoadResult(contract.table, f.path.name, load_id, rows or 0, "unchanged")
        elif f.batchable and f.sha not in {b.sha for b in batch}:
            batch.append(f)
        else:  # rejected before, a failed check, or the same bytes twice in this call
            flush()
            results[id(f)] = _one(con, contract, f, is_sample, keep_going)
            latest = _latest_loads(con, contract.table)
    flush()
    return [results[id(f)] for f in todo]


def _load_batch(
    con, contract: Contract, batch: list[_File], is_sample: bool, many, keep_going: bool = False
) -> list[LoadResult]:
    """Check all files in one scan; insert the runs of clean files in one statement each, and give
    any file with a finding to load_file (in order, so load ids follow the file order as before)."""
    if not batch:
        return []
    try:
        with many.scan(con, [f.path for f in batch], contract) as rel:
            found = _findings(con, rel, contract)
    except duckdb.Error:  # which file DuckDB could not read: load_file says, file by file
        return [_one(con, contract, f, is_sample, keep_going) for f in batch]
    results, run = [], []
    for i, f in enumerate(batch):
        rows, bad = found.get(i, (0, 0))
        if rows and not bad:
            run.append((f, rows))
            continue
        results += _insert_run(con, contract, run, is_sample, many)
        run = []
        results.append(_one(con, contract, f, is_sample, keep_going))
    return results + _insert_run(con, contract, run, is_sample, many)


def _findings(con, rel: duckdb.DuckDBPyRelation, contract: Contract) -> dict[int, tuple[int, int]]:
    """Per file (its index in the scan): data rows, and values that _cast_failures would report
    (not castable to the column's type; formula-like text in a varchar column)."""
    hidden = set(contract.meta.get("pseudonymise") or [])
    checks = []
    for c in contract.columns:
        if c.data_type != "varchar":
            checks.append(f'count(*) filter ("{c.name}" is not null and {_bad_sql(contract, c)[0]})')
        elif c.name not in hidden:  # a pseudonym is 64 hex digits: never formula-like, so not hashed to check
            checks.append(f'count(*) filter (regexp_matches("{c.name}", $formula))')
    con.register("_pcp_incoming", rel)
    try:
        rows = con.execute(
            f"select _file_index, count(*), {' + '.join(checks) or '0'} from _pcp_incoming group by _file_index",
            {"formula": FORMULA},
        ).fetchall()
    finally:
        con.unregister("_pcp_incoming")
    return {i: (n, bad) for i, n, bad in rows}


def _insert_run(con, contract: Contract, run: list[tuple[_File, int]], is_sample: bool, many) -> list[LoadResult]:
    """Clean files into raw in one insert and one transaction, a load id each, status pending.

    The scan numbers rows 1, 2, ... through each group of files in order (``_scan_row``, see
    csv_file.scan_many), so a file's ``_row_number`` is ``_scan_row`` minus the rows of the files
    before it in its group: the data row in the file.
    Per-file values come from lists indexed by ``_file_index`` (not a join, which DuckDB might build
    on the big side)."""
    if not run:
        return []
    ensure_raw_table(con, contract)
    ids = sorted(r[0] for r in con.execute("select nextval('meta.load_seq') from range(?)", [len(run)]).fetchall())
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    files = [f for f, _ in run]
    expected = [n for _, n in run]
    per_file = {
        "load_id": ids,
        "row_offset": list(accumulate(expected, initial=0))[:-1],
        "source_file": [f.path.name for f in files],
        "sha256": [f.sha for f in files],
        "vintage": [f.vintage for f in files],
    }
    with many.scan(con, [f.path for f in files], contract) as rel:
        con.register("_pcp_incoming", rel)
        try:
            rows = _insert_in_transaction(con, contract, files, expected, per_file, is_sample, now)
        finally:
            con.unregister("_pcp_incoming")
    if rows is None:  # DuckDB refused the insert (say, a file changed since it was checked): load_file says why
        return [load_file(con, contract, f.path, f.vintage, is_sample, sha=f.sha) for f in files]
    return [LoadResult(contract.table, f.path.name, i, n, "loaded") for f, i, n in zip(files, ids, rows)]


def _insert_in_transaction(
    con, contract: Contract, files: list[_File], expected: list[int], per_file: dict, is_sample: bool, now: dt.datetime
) -> list[int] | None:
    """Rows per file inserted from ``_pcp_incoming`` and recorded as pending; None if rolled back."""
    casts, hidden = _stored_sql(contract, "s.")
    stats = list(zip(*[_stat_key(f.path, f.st) for f in files]))
    con.execute("begin")
    # Rows may be written in any order (each carries its _row_number, counted in the scan's file
    # order before the insert): the insert then runs on every thread (3M calls: 9.9 s -> 5.3 s here).
    con.execute("set preserve_insertion_order = false")
    try:
        con.execute(
            f"insert into raw.{contract.table} select {casts}, $load_id[i], "
            f"s._scan_row - ($row_offset[i] - $row_offset[s._group_first + 1]), "
            f"$source_file[i], $sha256[i], $vintage[i], $is_sample, $now{hidden} "
            f"from (select *, (_file_index + 1)::bigint as i from _pcp_incoming) s",
            {**per_file, "is_sample": is_sample, "now": now},
        )
        fault_point("load:inserted")
        counts = dict(
            con.execute(
                f"select _load_id, count(*) from raw.{contract.table} where _load_id >= ? group by _load_id",
                [per_file["load_id"][0]],
            ).fetchall()
        )
        rows = [counts.get(i, 0) for i in per_file["load_id"]]
        if rows != expected:  # a file changed between the check and the insert
            con.execute("rollback")
            return None
        con.execute(
            f"insert into meta.loads ({LOADS_COLUMNS}) "
            "select unnest($load_id), $table, unnest($source_file), unnest($sha256), unnest($vintage), $is_sample, "
            "unnest($rows), 'pending', null, $now, unnest($path), unnest($bytes), unnest($mtime), unnest($ctime)",
            {
                "load_id": per_file["load_id"],
                "source_file": per_file["source_file"],
                "sha256": per_file["sha256"],
                "vintage": per_file["vintage"],
                "table": contract.table,
                "is_sample": is_sample,
                "rows": rows,
                "now": now,
                "path": list(stats[0]),
                "bytes": list(stats[1]),
                "mtime": list(stats[2]),
                "ctime": list(stats[3]),
            },
        )
        con.execute("commit")
        return rows
    except duckdb.Error:
        con.execute("rollback")
        return None
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.execute("reset preserve_insertion_order")


def _stat_key(path: Path, st: os.stat_result) -> tuple[str, int, int, int]:
    """Path, size, mtime and ctime: a file rewritten in place with its size and mtime put back (cp -p,
    rsync --inplace -t) still gets a new ctime, which no user can set, so its bytes are hashed again."""
    return str(path.absolute()), st.st_size, st.st_mtime_ns, st.st_ctime_ns


def _known_files(con, table: str) -> dict[tuple[str, int, int, int], str]:
    """(path, size, mtime, ctime) -> sha256 of files loaded before: their content is known (a held
    rejection too, so a huge refused file is not hashed again every build)."""
    return {
        (p, n, t, c): sha
        for p, n, t, c, sha in con.execute(
            "select source_path, file_bytes, file_mtime_ns, file_ctime_ns, sha256 from meta.loads where source_table = ? "
            "and status in ('accepted', 'pending', 'rejected') and source_path is not null "
            "and file_ctime_ns is not null",
            [table],
        ).fetchall()
    }


def _latest_loads(con, table: str) -> dict[str, tuple]:
    """sha256 -> (load_id, status, message, rows_read, resolution) of its latest load, as _previous gives it."""
    return {
        r[0]: r[1:]
        for r in con.execute(
            "select sha256, load_id, status, message, rows_read, resolution from meta.loads where source_table = ? "
            "qualify row_number() over (partition by sha256 order by load_id desc) = 1",
            [table],
        ).fetchall()
    }


def _record(con, load_id, contract, path, st, sha, vintage, is_sample, rows, status, message, now) -> None:
    con.execute(
        f"insert into meta.loads ({LOADS_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            contract.table,
            path.name,
            sha,
            vintage,
            is_sample,
            rows,
            status,
            safe_messages.scrub(message),
            now,
            *_stat_key(path, st),
        ],
    )


def pending_loads(con: duckdb.DuckDBPyConnection, table: str | None = None) -> list[tuple[int, str, str]]:
    sql = "select load_id, source_table, source_file from meta.loads where status = 'pending'"
    params: list = []
    if table:
        sql += " and source_table = ?"
        params.append(table)
    return con.execute(sql + " order by load_id", params).fetchall()


def set_status(
    con: duckdb.DuckDBPyConnection, load_id: int | list[int], status: str, message: str | None = None
) -> None:
    """Set the status (and message) of one load, or of many in one statement."""
    ids = [load_id] if isinstance(load_id, int) else list(load_id)
    con.execute(
        "update meta.loads set status = ?, message = ?, validated_at = now()::timestamp "
        "where load_id in (select unnest(?::bigint[]))",
        [status, safe_messages.scrub(message), ids],
    )
