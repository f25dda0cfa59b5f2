"""Declared partitions: which force and months a force-feed file speaks for, and what it may change.

A force feed file declares its partition (force area x month) in its name (``docs/force-feeds.md``):

    [<label>_]<feed>_<area code>_<YYYY-MM>[_to_<YYYY-MM>][_part<N>].csv[.gz]

e.g. ``calls_E23000029_2023-06.csv`` (Thames Valley, June 2023), ``..._2023-04_to_2023-06.csv`` (a
restatement of three months in one file), ``..._2023-06_part2.csv`` (the second part of June).
The rules, one place for them:

* **A load replaces exactly the partitions its file declares.** A row whose force or month is not
  declared by its file name (say, a call received 23:59:48 on 30 June in the July file) is
  quarantined with that reason and never reaches staging, so no file lowers (or changes) a period
  it does not declare. Such rows are not bad values: they do not count against the file's
  quarantine limit, but a file with no row of its declared partition is rejected (its name does
  not match its contents). To change June, send June's file again: a restatement.
* **Parts of one partition in one arrival combine**: ``_part1``, ``_part2``... landed in the same
  folder are one file for the ranking in staging (``meta.load_arrivals``). Two files for the same
  partition in one arrival that are not numbered parts (or the same part twice) are refused, naming
  both.
* **A later arrival restates the whole partition**: every part of the earlier arrival is replaced.
  Each restatement is recorded in ``meta.restatements`` and printed in the build output.

Contracts opt in with ``partition: {file_prefix, area_column, period_column}`` in their meta.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from warehouse.core.contracts import Contract
from warehouse.gate import quarantine

# After the feed's name: force, month(s), part. A label before it is allowed ("corrected_...").
NAME_TAIL = (
    r"_(?P<area>[EW]\d{8})_(?P<first>\d{4}-\d{2})(?:_to_(?P<last>\d{4}-\d{2}))?(?:_part(?P<part>\d+))?\.csv(?:\.gz)?$"
)


@dataclass(frozen=True)
class Declared:
    area_code: str
    months: tuple[dt.date, ...]
    part: int | None

    def __str__(self) -> str:
        span = f"{self.months[0]:%Y-%m}" + (f" to {self.months[-1]:%Y-%m}" if len(self.months) > 1 else "")
        return f"{self.area_code} {span}" + (f" part {self.part}" if self.part else "")


def spec(contract: Contract) -> dict | None:
    return contract.meta.get("partition")


def declared(contract: Contract, file_name: str) -> Declared:
    """The partition a file name declares. Raises ValueError naming the expected form."""
    s = spec(contract)
    m = re.match(r"^(?:.+_)?" + re.escape(s["file_prefix"]) + NAME_TAIL, file_name)
    form = f"{s['file_prefix']}_<area code>_<YYYY-MM>[_to_<YYYY-MM>][_part<N>].csv"
    if not m:
        raise ValueError(
            f"{file_name}: the file name must declare its force and month as {form} "
            f"(e.g. {s['file_prefix']}_E23000029_2023-06.csv; docs/force-feeds.md)"
        )
    first = dt.date.fromisoformat(m["first"] + "-01")
    last = dt.date.fromisoformat((m["last"] or m["first"]) + "-01")
    if last < first:
        raise ValueError(f"{file_name}: the declared months run backwards ({first:%Y-%m} to {last:%Y-%m})")
    months, mo = [], first
    while mo <= last:
        months.append(mo)
        mo = dt.date(mo.year + mo.month // 12, mo.month % 12 + 1, 1)
    return Declared(m["area"], tuple(months), int(m["part"]) if m["part"] else None)


@dataclass
class Finding:
    """What the partition check found for one pending load."""

    outside: int = 0  # rows quarantined as outside the declared partition
    notes: list[str] | None = None  # lines for the build output
    error: str | None = None  # the load must be rejected
    also_reject: list[int] = field(default_factory=list)  # pending loads the same refusal covers


def check_pending(
    con: duckdb.DuckDBPyConnection, pending: list[tuple[int, str, str]], contract_of
) -> dict[int, Finding]:
    """Check each pending load of a partitioned contract: record its declared partition, quarantine
    rows outside it, refuse clashing files of one arrival, group parts, record restatements.

    A national call log is hundreds of pending loads, so each step is a fixed number of statements
    for all of them (one scan of raw per table), not a few per load; what each load sees and says is
    as if they were checked one by one in load order."""
    found: dict[int, Finding] = {}
    named: dict[int, tuple[Contract, str, Declared]] = {}  # loads whose name declares a partition
    for load_id, table, file in pending:
        contract = contract_of(table)
        if not spec(contract):
            continue
        f = found[load_id] = Finding(notes=[])
        try:
            named[load_id] = (contract, file, declared(contract, file))
        except ValueError as e:
            f.error = str(e)
    if not named:
        return found
    new = _record_partitions(con, named)
    path, rows_read = _paths_and_rows(con, list(named))
    outside = _outside_rows(con, named)
    checked = []
    for load_id, (contract, file, d) in named.items():
        f, total = found[load_id], rows_read[load_id]
        f.outside = _quarantine_outside(con, contract, load_id, file, d, outside.get(load_id, []))
        if f.outside:
            f.notes.append(
                f"{file}: {f.outside:,} row(s) outside its declared partition ({d}) quarantined "
                f"(meta.quarantine); they change no other period"
            )
        if f.outside == total:
            f.error = (
                f"{file}: the name declares {d} but none of its {total:,} rows is in it "
                f"(see meta.quarantine for the rows' forces and months): the name does not match the contents"
            )
            continue
        checked.append(load_id)
    claims, earlier = _claims(con, checked), _earlier(con, checked)
    arrivals: list[tuple[int, int]] = []
    restated: list[tuple] = []
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for load_id in checked:
        (contract, file, d), f, here = named[load_id], found[load_id], path[load_id]
        # checked one by one in load order, a load saw the partitions of earlier loads and those an
        # earlier gate recorded, not those of later loads new in this gate: so it still does
        others = [o for o in claims.get(load_id, []) if o[0] < load_id or o[0] not in new]
        f.error = _same_arrival(load_id, file, d, here, others, f.also_reject, arrivals)
        if f.error is None:
            f.notes += _restatements(load_id, contract.table, file, d, here, earlier.get(load_id, []), restated, now)
    _record_arrivals(con, arrivals)
    if restated:
        con.executemany("insert into meta.restatements values (?, ?, ?, ?, ?, ?, ?, ?)", restated)
    return found


def _record_partitions(con, named: dict[int, tuple[Contract, str, Declared]]) -> set[int]:
    """Replace the loads' declared partitions in meta.load_partitions, in one delete and one insert.
    Returns the loads that had none recorded before (a gate that stopped part-way leaves some)."""
    ids = list(named)
    before = {
        i
        for (i,) in con.execute(
            "select distinct load_id from meta.load_partitions where load_id in (select unnest($ids))", {"ids": ids}
        ).fetchall()
    }
    con.execute("delete from meta.load_partitions where load_id in (select unnest($ids))", {"ids": ids})
    rows = [(i, c.table, file, d.area_code, m, d.part) for i, (c, file, d) in named.items() for m in d.months]
    cols = list(zip(*rows))
    con.execute(
        "insert into meta.load_partitions select unnest($id::bigint[]), unnest($tbl::varchar[]), "
        "unnest($file::varchar[]), unnest($area::varchar[]), unnest($month::date[]), unnest($part::integer[])",
        dict(zip(("id", "tbl", "file", "area", "month", "part"), map(list, cols))),
    )
    return set(ids) - before


def _paths_and_rows(con, ids: list[int]) -> tuple[dict[int, str | None], dict[int, int]]:
    """Each load's landed path and rows read (meta.loads)."""
    rows = con.execute(
        "select load_id, source_path, rows_read from meta.loads where load_id in (select unnest($ids))", {"ids": ids}
    ).fetchall()
    return {i: p for i, p, _ in rows}, {i: n for i, _, n in rows}


def _outside_rows(con, named: dict[int, tuple[Contract, str, Declared]]) -> dict[int, list[tuple]]:
    """Rows outside their file's declared partition, by load, in row order: one query per table."""
    by_table: dict[str, tuple[Contract, dict[int, Declared]]] = {}
    for load_id, (contract, _, d) in named.items():
        by_table.setdefault(contract.table, (contract, {}))[1][load_id] = d
    out: dict[int, list[tuple]] = {}
    for table, (contract, loads) in by_table.items():
        area, period = spec(contract)["area_column"], spec(contract)["period_column"]
        month = f"date_trunc('month', r.\"{period}\")::date"
        ids = sorted(loads)
        found = con.execute(
            "with d as (select unnest($ids) as _d_load, unnest($areas::varchar[]) as _d_area, "
            "unnest($months::date[][]) as _d_months) "
            f'select r._load_id, r._row_number, r."{area}", strftime({month}, \'%Y-%m\'), r."{period}"::varchar '
            f"from raw.{table} r join d on r._load_id = d._d_load where r._load_id between $lo and $hi "
            f'and (r."{area}" is distinct from d._d_area or {month} is null or not list_contains(d._d_months, {month})) '
            f"order by 1, 2",
            {
                "ids": ids,
                "areas": [loads[i].area_code for i in ids],
                "months": [list(loads[i].months) for i in ids],
                "lo": ids[0],
                "hi": ids[-1],
            },
        ).fetchall()
        quarantine.by_load(found, out)
    return out


def _quarantine_outside(con, contract: Contract, load_id: int, file: str, d: Declared, rows: list[tuple]) -> int:
    """Quarantine one load's rows outside its declared partition; returns how many."""
    s = spec(contract)
    bad = []
    for row, a, mo, value in rows:
        col, val = (s["area_column"], a) if a != d.area_code else (s["period_column"], value)
        bad.append(
            (
                row,
                col,
                val,
                f"outside the partition its file name declares ({d}): this row is "
                f"{a} {mo}; a file changes only the force and months it declares "
                f"(send that month's own file to restate it)",
            )
        )
    quarantine.record(con, load_id, contract.table, file, bad)
    return len(bad)


def _claims(con, ids: list[int]) -> dict[int, list[tuple]]:
    """Per load: the other pending or accepted loads declaring any of its partitions, by load id."""
    rows = con.execute(
        "select distinct n.load_id, p.load_id, p.source_file, p.part, l.source_path, l.status "
        "from meta.load_partitions n join meta.load_partitions p on p.source_table = n.source_table "
        "and p.area_code = n.area_code and p.month = n.month and p.load_id <> n.load_id "
        "join meta.loads l on l.load_id = p.load_id "
        "where n.load_id in (select unnest($ids)) and l.status in ('pending', 'accepted') order by 1, 2",
        {"ids": ids},
    ).fetchall()
    return quarantine.by_load(rows)


def _same_arrival(
    load_id: int,
    file: str,
    d: Declared,
    here: str | None,
    others: list[tuple],
    also_reject: list[int],
    arrivals: list[tuple[int, int]],
) -> str | None:
    """Refuse two files for one partition in one arrival unless they are distinct numbered parts;
    group the parts (meta.load_arrivals, added to ``arrivals``) so staging ranks them as one file."""
    folder = _folder(here)
    # another file in this arrival folder (the same file corrected in place is a new version of it)
    same = [
        (i, f, part, st)
        for i, f, part, path, st in others
        if path is not None and path != here and str(Path(path).parent) == folder
    ]
    for i, other, part, status in same:
        if d.part is None or part is None or part == d.part:
            if status == "pending":  # neither half is published alone
                also_reject.append(i)
            return (
                f"{file} and {other} both declare {d.area_code} "
                f"{', '.join(f'{m:%Y-%m}' for m in d.months)} in one arrival ({folder}): send one file per "
                f"force and month, or number the pieces _part1, _part2, ... (docs/force-feeds.md)"
            )
    if d.part is not None:
        # parts run _part1.._partN: a gap (part1 and part3, no part2) would publish a partial month as
        # a whole restatement, so the arrival is refused naming the files and the missing parts
        parts = {d.part, *(part for _, _, part, _ in same)}
        gap = sorted(set(range(1, max(parts) + 1)) - parts)
        if gap:
            also_reject.extend(i for i, _, _, st in same if st == "pending")
            return (
                f"{', '.join(sorted({file, *(f for _, f, _, _ in same)}))}: parts of {d.area_code} "
                f"{', '.join(f'{m:%Y-%m}' for m in d.months)} in one arrival ({folder}) without part(s) "
                f"{', '.join(map(str, gap))}: land every part _part1.._partN together (docs/force-feeds.md)"
            )
        arrivals.append((load_id, min([load_id] + [i for i, *_ in same])))
    return None


def _folder(path: str | None) -> str | None:
    """The arrival folder of a landed file (None for a file loaded from elsewhere)."""
    return None if path is None else str(Path(path).parent)


def _record_arrivals(con, arrivals: list[tuple[int, int]]) -> None:
    if arrivals:
        con.execute(
            "delete from meta.load_arrivals where load_id in (select unnest($ids))", {"ids": [i for i, _ in arrivals]}
        )
        con.executemany("insert into meta.load_arrivals values (?, ?)", arrivals)


def _earlier(con, ids: list[int]) -> dict[int, list[tuple]]:
    """Per load: partitions of earlier loads (pending or accepted, of no later vintage) it declares
    too, by month and load id."""
    rows = con.execute(
        "select n.load_id, p.month, p.load_id, p.source_file, l.source_path "
        "from meta.load_partitions n join meta.load_partitions p on p.source_table = n.source_table "
        "and p.area_code = n.area_code and p.month = n.month and p.load_id < n.load_id "
        "join meta.loads l on l.load_id = p.load_id join meta.loads nl on nl.load_id = n.load_id "
        "where n.load_id in (select unnest($ids)) and l.status in ('pending', 'accepted') "
        "and coalesce(l.vintage, date '0001-01-01') <= coalesce(nl.vintage, date '9999-12-31') "
        "order by n.load_id, p.month, p.load_id",
        {"ids": ids},
    ).fetchall()
    return quarantine.by_load(rows)


def _restatements(
    load_id: int, table: str, file: str, d: Declared, here: str | None, earlier: list[tuple], restated: list, now
) -> list[str]:
    """Earlier arrivals (or earlier versions of this file) of the same partitions that this load
    replaces whole: rows for meta.restatements (added to ``restated``) and lines for the build output."""
    folder = _folder(here)
    out = []
    for month, old_id, old_file, path in earlier:
        if path is not None and path != here and str(Path(path).parent) == folder:
            continue  # another part of this arrival
        restated.append((load_id, table, file, d.area_code, month, old_id, old_file, now))
        out.append(f"{file} restates {d.area_code} {month:%Y-%m} whole, replacing {old_file} (load {old_id})")
    return out
