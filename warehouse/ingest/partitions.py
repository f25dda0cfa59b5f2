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
    rows outside it, refuse clashing files of one arrival, group parts, record restatements."""
    from warehouse.gate import quarantine

    found: dict[int, Finding] = {}
    for load_id, table, file in pending:
        contract = contract_of(table)
        s = spec(contract)
        if not s:
            continue
        f = found[load_id] = Finding(notes=[])
        try:
            d = declared(contract, file)
        except ValueError as e:
            f.error = str(e)
            continue
        con.execute("delete from meta.load_partitions where load_id = ?", [load_id])
        con.executemany(
            "insert into meta.load_partitions values (?, ?, ?, ?, ?, ?)",
            [(load_id, table, file, d.area_code, m, d.part) for m in d.months],
        )
        f.outside, total = _quarantine_outside(con, quarantine, contract, s, load_id, file, d)
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
        f.error = _same_arrival(con, load_id, table, file, d, f.also_reject)
        if f.error is None:
            f.notes += _restatements(con, load_id, table, file, d)
    return found


def _quarantine_outside(
    con, quarantine, contract: Contract, s: dict, load_id: int, file: str, d: Declared
) -> tuple[int, int]:
    area, period = s["area_column"], s["period_column"]
    month = f"date_trunc('month', \"{period}\")::date"
    rows = con.execute(
        f'select _row_number, "{area}", strftime({month}, \'%Y-%m\'), "{period}"::varchar '
        f"from raw.{contract.table} where _load_id = ? "
        f'and ("{area}" is distinct from ? or {month} is null or {month} not in (select unnest(?::date[]))) '
        f"order by _row_number",
        [load_id, d.area_code, list(d.months)],
    ).fetchall()
    total = con.execute("select rows_read from meta.loads where load_id = ?", [load_id]).fetchone()[0]
    bad = []
    for row, a, mo, value in rows:
        col, val = (area, a) if a != d.area_code else (period, value)
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
    return len(bad), total


def _same_arrival(con, load_id: int, table: str, file: str, d: Declared, also_reject: list[int]) -> str | None:
    """Refuse two files for one partition in one arrival unless they are distinct numbered parts;
    group the parts (meta.load_arrivals) so staging ranks them as one file."""
    folder = _folder(con, load_id)
    others = con.execute(
        "select distinct p.load_id, p.source_file, p.part, l.source_path, l.status from meta.load_partitions p "
        "join meta.loads l using (load_id) "
        "where p.source_table = ? and p.load_id <> ? and l.status in ('pending', 'accepted') "
        "and p.area_code = ? and p.month in (select unnest(?::date[])) order by p.load_id",
        [table, load_id, d.area_code, list(d.months)],
    ).fetchall()
    here = _path(con, load_id)
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
        first = min([load_id] + [i for i, *_ in same])
        con.execute("delete from meta.load_arrivals where load_id = ?", [load_id])
        con.execute("insert into meta.load_arrivals values (?, ?)", [load_id, first])
    return None


def _path(con, load_id: int) -> str | None:
    return con.execute("select source_path from meta.loads where load_id = ?", [load_id]).fetchone()[0]


def _folder(con, load_id: int) -> str | None:
    path = _path(con, load_id)
    return None if path is None else str(Path(path).parent)


def _restatements(con, load_id: int, table: str, file: str, d: Declared) -> list[str]:
    """Earlier arrivals (or earlier versions of this file) of the same partitions that this load replaces whole."""
    folder, here = _folder(con, load_id), _path(con, load_id)
    rows = con.execute(
        "select p.month, p.load_id, p.source_file, l.source_path from meta.load_partitions p "
        "join meta.loads l using (load_id) where p.source_table = ? and p.load_id < ? "
        "and l.status in ('pending', 'accepted') "
        "and coalesce(l.vintage, date '0001-01-01') <= "
        "coalesce((select vintage from meta.loads where load_id = ?), date '9999-12-31') "
        "and p.area_code = ? and p.month in (select unnest(?::date[])) order by p.month, p.load_id",
        [table, load_id, load_id, d.area_code, list(d.months)],
    ).fetchall()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    out = []
    for month, old_id, old_file, path in rows:
        if path is not None and path != here and str(Path(path).parent) == folder:
            continue  # another part of this arrival
        con.execute(
            "insert into meta.restatements values (?, ?, ?, ?, ?, ?, ?, ?)",
            [load_id, table, file, d.area_code, month, old_id, old_file, now],
        )
        out.append(f"{file} restates {d.area_code} {month:%Y-%m} whole, replacing {old_file} (load {old_id})")
    return out
