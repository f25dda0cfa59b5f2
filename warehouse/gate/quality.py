"""The quality gate: Great Expectations suites built from the source contracts, run per load.

Suites live in a File Data Context under ``expectations/gx`` (checked in; rebuild them with
``pcp expectations`` after editing a contract, and a test fails if they drift). Each load is
pulled back out of DuckDB as a DataFrame and validated; a failure marks the load ``rejected``
and raises ``QualityError`` with the file, expectation, column, rows and sample bad values.
GE's SQL datasource is broken on DuckDB upstream, hence DataFrames.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from functools import lru_cache
from typing import Any

import duckdb

from warehouse.core import contracts, geography, meta_tables, reference, safe_messages
from warehouse.core.config import paths
from warehouse.core.contracts import Contract
from warehouse.core.errors import QualityError
from warehouse.gate import not_supplied, quality_sql, quarantine
from warehouse.ingest import local_time, partitions
from warehouse.ingest.load import pending_loads, set_status

DATASOURCE = "pandas"
PER_PERIOD = "__per_period"
PANDAS_TYPES = {
    "varchar": "str",
    "integer": "int64",
    "double": "float64",
    "date": "datetime64[us]",
    "timestamp": "datetime64[us]",
    "boolean": "bool",
}

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def _gx():
    import great_expectations as gx

    return gx


def _as_datetime(v: Any) -> Any:
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return dt.datetime(v.year, v.month, v.day)
    return v


def expectations_for(contract: Contract) -> list:
    """The row-level suite a contract implies."""
    E = _gx().expectations
    out: list = [E.ExpectTableColumnsToMatchSet(column_set=contract.column_names + ["_row_number"], exact_match=True)]
    for c in contract.columns:
        m = c.meta
        out.append(E.ExpectColumnValuesToBeOfType(column=c.name, type_=PANDAS_TYPES[c.data_type]))
        if not c.nullable:
            out.append(E.ExpectColumnValuesToNotBeNull(column=c.name))
        if "allowed" in m:
            out.append(E.ExpectColumnValuesToBeInSet(column=c.name, value_set=list(m["allowed"])))
        if "reference" in m:  # codes as the bundled ONS lookup has them, not a hand-written pattern
            out.append(E.ExpectColumnValuesToBeInSet(column=c.name, value_set=list(reference.codes(m["reference"]))))
        if "pattern" in m:
            out.append(E.ExpectColumnValuesToMatchRegex(column=c.name, regex=m["pattern"]))
        lo = _as_datetime(m.get("min"))
        hi = {"$PARAMETER": "today"} if m.get("max_today") else _as_datetime(m.get("max"))
        if lo is not None or hi is not None:
            out.append(E.ExpectColumnValuesToBeBetween(column=c.name, min_value=lo, max_value=hi))
    for a, b in contract.checks.get("not_greater_than", []):  # e.g. FTE never above headcount
        out.append(
            E.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=b, column_B=a, or_equal=True, ignore_row_if="either_value_is_missing"
            )
        )
    if len(contract.grain) == 1:  # GE's compound expectation needs two or more columns
        out.append(E.ExpectColumnValuesToBeUnique(column=contract.grain[0]))
    elif contract.grain:
        out.append(E.ExpectCompoundColumnsToBeUnique(column_list=contract.grain))
    return out


def per_period_expectations(contract: Contract) -> list:
    """Checks on one row per period (``period``, ``n_distinct``, ``rows``), e.g. 43 forces a snapshot."""
    E = _gx().expectations
    chk = contract.checks.get("distinct_per_period")
    if not chk:
        return []
    out = [
        E.ExpectColumnValuesToBeBetween(
            column="n_distinct",
            min_value=chk.get("min", chk.get("equals")),
            max_value=chk.get("max", chk.get("equals")),
        )
    ]
    return out


def _context():
    gx = _gx()
    root = paths().expectations
    ctx = gx.get_context(mode="file", project_root_dir=str(root))
    return ctx


def build_suites() -> list[str]:
    """(Re)write every suite, asset and validation definition from the contracts."""
    gx = _gx()
    ctx = _context()
    ctx.variables.progress_bars = {"globally": False}
    ctx.variables.save()
    ds = ctx.data_sources.add_or_update_pandas(name=DATASOURCE)
    written = []
    for contract in contracts.all_contracts().values():
        for name, exps in (
            (contract.table, expectations_for(contract)),
            (contract.table + PER_PERIOD, per_period_expectations(contract)),
        ):
            if not exps:
                continue
            suite = gx.ExpectationSuite(
                name=name,
                expectations=exps,
                meta={"source_contract": contract.table, "built_by": "pcp expectations (from the dbt sources YAML)"},
            )
            ctx.suites.add_or_update(suite)
            try:
                asset = ds.get_asset(name)
            except LookupError:
                asset = ds.add_dataframe_asset(name=name)
            try:
                asset.get_batch_definition("batch")
            except KeyError:
                asset.add_batch_definition_whole_dataframe("batch")
            written.append(name)
    _cached_context.cache_clear()  # a context opened before holds the old suites
    return written


@lru_cache(maxsize=2)
def _cached_context(expectations: str | None = None):
    """One GE context per expectations folder (PCP_PROJECT_DIR may point at another copy)."""
    ctx = _context()
    ctx.variables.progress_bars = {"globally": False}
    return ctx


def _run_suite(name: str, df) -> Any:
    ctx = _cached_context(str(paths().expectations))
    try:
        suite = ctx.suites.get(name)
        batch_def = ctx.data_sources.get(DATASOURCE).get_asset(name).get_batch_definition("batch")
    except Exception as e:  # noqa: BLE001 - GE raises several kinds; the fix is always the same
        raise QualityError(
            f"no Great Expectations suite {name!r} in expectations/: run `pcp expectations` ({e})"
        ) from None
    batch = batch_def.get_batch(batch_parameters={"dataframe": df})
    return batch.validate(
        suite,
        expectation_parameters={"today": dt.datetime.combine(dt.date.today(), dt.time.max)},
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": ["_row_number"],
            "partial_unexpected_count": 5,
        }
        if "_row_number" in df.columns
        else "SUMMARY",
    )


def _describe_failures(file: str, result: Any, row_label: str = "row", contract: Contract | None = None) -> list[str]:
    """One line per failed expectation: file, expectation, column, rows, and found values unless a
    column is person-level (warehouse/core/safe_messages.py)."""
    lines = []
    for r in result.results:
        if r.success:
            continue
        cfg = r.expectation_config
        kw = cfg.kwargs
        col = (
            kw.get("column")
            or kw.get("column_list")
            or (f"{kw.get('column_A')} vs {kw.get('column_B')}" if "column_A" in kw else None)
        )
        res = r.result or {}
        detail = []
        if res.get("unexpected_count") is not None:
            detail.append(f"{res['unexpected_count']:,} bad value(s)")
        rows = [d.get("_row_number") for d in (res.get("unexpected_index_list") or [])[:5] if isinstance(d, dict)]
        if rows:
            detail.append(f"{row_label}s {', '.join(str(int(x)) for x in rows)}")
        samples = res.get("partial_unexpected_list")
        named = [kw.get("column"), kw.get("column_A"), kw.get("column_B"), *(kw.get("column_list") or [])]
        if any(safe_messages.person_level(contract, c) for c in named):
            samples = None
            if res.get("observed_value") is not None:
                res = {**res, "observed_value": None}
        if samples:
            detail.append(f"e.g. {[_plain(s) for s in samples[:5]]}")
        if res.get("observed_value") is not None:
            detail.append(f"observed {_plain(res['observed_value'])}")
        expected = {
            k: _plain(v)
            for k, v in kw.items()
            if k not in ("column", "batch_id", "column_list", "column_A", "column_B", "result_format")
        }
        lines.append(f"{file}: {cfg.type} failed on column {col}: {'; '.join(detail)} (expected {expected})")
    return lines


def _plain(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    if hasattr(v, "item"):
        return v.item()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v][:10]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


# Checks about one row's own values: a failure quarantines the row. Every other check (columns,
# types, rows per period) is about the file as a whole: a failure rejects the file.
ROW_LEVEL = {
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_be_between",
    "expect_column_pair_values_a_to_be_greater_than_b",
    "expect_column_values_to_be_unique",
    "expect_compound_columns_to_be_unique",
}


def _row_failures(result: Any) -> list[tuple[int, str | None, Any, str]]:
    """(row, column, found, reason) for every row a row-level expectation flagged (quarantine.record
    leaves out a person-level column's value)."""
    out = []
    for r in result.results:
        cfg = r.expectation_config
        if r.success or cfg.type not in ROW_LEVEL:
            continue
        kw = cfg.kwargs
        cols = kw.get("column_list") or [c for c in (kw.get("column"), kw.get("column_A"), kw.get("column_B")) if c]
        expected = {
            k: _plain(v)
            for k, v in kw.items()
            if k not in ("column", "batch_id", "column_list", "column_A", "column_B", "result_format")
        }
        reason = f"{cfg.type} (expected {expected})" if expected else cfg.type
        for d in (r.result or {}).get("unexpected_index_list") or []:
            found = {k: _plain(v) for k, v in d.items() if k != "_row_number"}
            value = next(iter(found.values())) if len(found) == 1 else found
            out.append((int(d["_row_number"]), ", ".join(cols), value, reason))
    return out


def validate_load(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    load_id: int,
    file: str,
    outside: int = 0,
    prechecked: list[str] | None = None,
) -> None:
    """Validate one load's rows: quarantine rows that fail row-level checks, reject the file if a
    file-level check fails or too many rows are bad; otherwise mark it accepted. ``outside``: rows
    already quarantined as outside the file's declared partition (warehouse/ingest/partitions.py), which
    are not bad values and do not count against the limit. ``prechecked``: messages for rows the
    gate quarantined before the suite ran (unknown force names, warehouse/core/reference.py)."""
    cols = ", ".join(f'"{c}"' for c in contract.column_names)
    not_quarantined = (
        f"_load_id = {int(load_id)} and _row_number not in "
        f"(select row_number from meta.quarantine where load_id = {int(load_id)})"
    )
    df = con.execute(f"select {cols}, _row_number from raw.{contract.table} where {not_quarantined}").df()
    result = _run_suite(contract.table, df)
    described = _describe_failures(file, result, contract=contract)
    row_level = {
        _describe_failures(file, _only(result, r), contract=contract)[0]
        for r in result.results
        if not r.success and r.expectation_config.type in ROW_LEVEL
    } | set(prechecked or [])
    failures = [f for f in described if f not in row_level]  # file-level
    quarantine.record(con, load_id, contract.table, file, _row_failures(result))
    if contract.checks.get("distinct_per_period") and contract.period_column:
        col = contract.checks["distinct_per_period"]["column"]
        summary = con.execute(
            f'select "{contract.period_column}"::varchar as period, count(distinct "{col}") as n_distinct, '
            f"count(*) as rows from raw.{contract.table} where {not_quarantined} group by 1 order by 1",
        ).df()
        res = _run_suite(contract.table + PER_PERIOD, summary)
        chk = contract.checks["distinct_per_period"]
        if not res.success:
            lo, hi = chk.get("min", chk.get("equals")), chk.get("max", chk.get("equals"))
            bad = summary[
                ((summary.n_distinct < lo) if lo is not None else False)
                | ((summary.n_distinct > hi) if hi is not None else False)
            ]
            failures.append(
                f"{file}: expected {contract.checks['distinct_per_period']} distinct {col} per "
                f"{contract.period_column}; found " + ", ".join(f"{p}: {n}" for p, n in zip(bad.period, bad.n_distinct))
            )
    if contract.checks.get("lad_geography_per_period") and contract.period_column:
        failures += geography.per_period_failures(con, contract, load_id, file, not_quarantined)
    rows_read = con.execute("select rows_read from meta.loads where load_id = ?", [load_id]).fetchall()[0][0]
    n_bad = quarantine.bad_rows(con, load_id)
    too_many = quarantine.over_limit(contract.table, n_bad - outside, rows_read - outside)
    if too_many:
        failures += sorted(row_level) + [f"{file}: {too_many}"]
    _record_validation(con, load_id, contract.table, not failures, failures)
    con.execute("update meta.loads set rows_quarantined = ? where load_id = ?", [n_bad, load_id])
    if failures:
        msg = "\n".join(failures)
        set_status(con, load_id, "rejected", msg)
        raise QualityError(f"quality gate stopped {file} (contract {contract.table}):\n{msg}")
    note = None
    if n_bad:
        note = (
            f"{n_bad:,} of {rows_read:,} rows quarantined (meta.quarantine), {rows_read - n_bad:,} accepted:\n"
            + "\n".join(sorted(row_level))
        )
        print(f"quarantined: {note}")
    absent = not_supplied.absent(con, contract, not_quarantined)
    if absent:  # a publication that left a force out (kind 9): loaded, and said
        print(not_supplied.note(file, contract, absent))
        note = "\n".join(x for x in (note, not_supplied.note(file, contract, absent)) if x)
    set_status(con, load_id, "accepted", note)


def _only(result: Any, one: Any) -> Any:
    """A result object holding just one expectation's result (to describe it alone)."""

    class _R:
        results = [one]

    return _R()


def _record_validation(con, load_id: int | list[int], suite: str, success: bool, failures: list[str]) -> None:
    """One row in meta.validations per load (one load, or many in one statement)."""
    con.execute(meta_tables.VALIDATIONS)
    con.execute(
        "insert into meta.validations select unnest(?::bigint[]), ?, ?, ?, now()::timestamp",
        [[load_id] if isinstance(load_id, int) else list(load_id), suite, success, json.dumps(failures)],
    )


def validate_pending(con: duckdb.DuckDBPyConnection, table: str | None = None) -> list[int]:
    """Validate every pending load (all of them, not just the newest: asset events coalesce)."""
    done, errors = [], []
    pending = pending_loads(con, table)
    found = partitions.check_pending(con, pending, contracts.get)
    names: dict[int, list[str]] = {}  # rows these checks quarantined, and what the gate says of them
    for check in (reference.check_force_names, geography.check_lad_codes, local_time.check_order):
        for load_id, msgs in check(con, pending, contracts.get).items():
            names.setdefault(load_id, []).extend(msgs)
    refused = {}
    for load_id, f in found.items():
        for note in f.notes or []:
            print(note)
        if f.error:
            refused.update({i: f.error for i in [load_id, *f.also_reject]})
    for load_id, tbl, file in pending:
        if load_id in refused:
            set_status(con, load_id, "rejected", refused[load_id])
            errors.append(f"quality gate stopped {file} (contract {tbl}):\n{refused[load_id]}")
    pending = [p for p in pending if p[0] not in refused]
    # a load with rows outside its partition is checked alone, so its quarantine is counted and said
    passed_together = _validate_together(
        con, [p for p in pending if p[0] not in names and not (p[0] in found and found[p[0]].outside)]
    )
    done.extend(passed_together)
    for load_id, tbl, file in pending:
        if load_id in passed_together:
            continue
        try:
            validate_load(
                con,
                contracts.get(tbl),
                load_id,
                file,
                outside=found[load_id].outside if load_id in found else 0,
                prechecked=names.get(load_id, []),
            )
            done.append(load_id)
        except QualityError as e:
            errors.append(str(e))
    if errors:
        raise QualityError("\n".join(errors))
    return done


def _validate_together(con: duckdb.DuckDBPyConnection, pending: list[tuple[int, str, str]]) -> set[int]:
    """Many small files of one source (a month per file) cost one suite run each, most of it fixed
    overhead: so run the suite once over all of a table's pending loads and accept them all if it
    passes. If it fails, the caller validates them one by one to name the bad file and rows (a
    restated period pending beside its original also fails here, on the grain, and is then fine)."""
    by_table: dict[str, list[int]] = {}
    for load_id, tbl, _ in pending:
        by_table.setdefault(tbl, []).append(load_id)
    accepted: set[int] = set()
    for tbl, ids in by_table.items():
        contract = contracts.get(tbl)
        if contract.checks.get("distinct_per_period") or contract.checks.get("lad_geography_per_period"):
            continue
        marks = ", ".join("?" for _ in ids)
        rows = con.execute(f"select sum(rows_read) from meta.loads where load_id in ({marks})", ids).fetchone()[0] or 0
        if rows >= quality_sql.MIN_ROWS:
            # (benchmark engineer, issue 9) a large batch is checked in DuckDB against the same suite
            # JSON (warehouse/gate/quality_sql.py): seconds instead of minutes for a national month of
            # calls. It only ever accepts; a failure goes to GE load by load below, as before.
            if not quality_sql.passes(con, contract, ids):
                continue
        elif len(ids) < 2:
            continue  # one small load: GE load by load below, as ever
        else:
            cols = ", ".join(f'"{c}"' for c in contract.column_names)
            df = con.execute(
                f"select {cols}, _row_number from raw.{contract.table} where _load_id in ({marks})", ids
            ).df()
            if not _run_suite(contract.table, df).success:
                continue
        _accept_all(con, contract.table, ids)
        accepted.update(ids)
    return accepted


def _accept_all(con: duckdb.DuckDBPyConnection, suite: str, ids: list[int]) -> None:
    """Record every load of a passing batch as validated and accepted: three statements per table,
    not three per load."""
    _record_validation(con, ids, suite, True, [])
    con.execute("update meta.loads set rows_quarantined = 0 where load_id in (select unnest(?::bigint[]))", [ids])
    set_status(con, ids, "accepted")
