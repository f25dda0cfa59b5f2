"""Rejected loads are held, not retried, and never block anything else.

A file the loader or the quality gate rejects is recorded once in ``meta.loads`` (status ``rejected``)
and every later build skips it without reading it again, while the files of other sources and later
periods load and publish as usual. It stays listed (``pcp build`` summary, ``pcp status``, the alert
raised when it was rejected) until someone resolves it:

- ``pcp resolve <load_id> --retry``: read the file again at the next build (after fixing the file in
  place, or a contract or limit);
- ``pcp resolve <load_id> --drop``: leave it out for good (the bytes stay in landing for the record;
  the same bytes landed again are dropped too).

A corrected file with other bytes is simply a new file and loads on its own; resolving the old
rejection is then only bookkeeping.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from warehouse.core import safe_messages
from warehouse.core.errors import PipelineError

RESOLUTIONS = ("retry", "dropped")


@dataclass(frozen=True)
class Held:
    load_id: int
    table: str
    file: str
    loaded_at: dt.datetime
    message: str

    def __str__(self) -> str:
        text = safe_messages.scrub(self.message)  # a message stored before messages were made safe
        first = text.strip().splitlines()[0] if text and text.strip() else "rejected"
        return (
            f"load {self.load_id} {self.table}: {self.file} rejected {self.loaded_at:%Y-%m-%d %H:%M} UTC: {first} "
            f"(held: `pcp resolve {self.load_id} --retry` once fixed, or `--drop`)"
        )


def outstanding(con: duckdb.DuckDBPyConnection) -> list[Held]:
    """Rejected loads nobody has resolved yet, oldest first (the latest load of each file's bytes:
    an old rejection superseded by a retry of the same bytes is not listed)."""
    rows = con.execute(
        "select load_id, source_table, source_file, loaded_at, message from meta.loads "
        "where status = 'rejected' and resolution is null "
        "qualify row_number() over (partition by source_table, sha256 order by load_id desc) = 1 "
        "order by load_id"
    ).fetchall()
    return [Held(*r) for r in rows]


def resolve(con: duckdb.DuckDBPyConnection, load_id: int, action: str) -> str:
    """Mark one rejected load ``retry`` or ``dropped``; returns what was done, as one line.

    Raises PipelineError if the load does not exist or was not rejected."""
    if action not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {', '.join(RESOLUTIONS)}; got {action!r}")
    row = con.execute(
        "select source_table, source_file, status, resolution from meta.loads where load_id = ?", [load_id]
    ).fetchall()
    if not row:
        raise PipelineError(f"no load {load_id} in the working database (see `pcp status`)")
    table, file, status, done = row[0]
    if status != "rejected":
        raise PipelineError(f"load {load_id} ({file}) is {status}, not rejected: nothing to resolve")
    con.execute(
        "update meta.loads set resolution = ?, resolved_at = now()::timestamp where load_id = ?", [action, load_id]
    )
    if action == "retry":
        return f"load {load_id} ({table}: {file}) will be read again at the next `pcp build`"
    return f"load {load_id} ({table}: {file}) dropped: it stays out of the warehouse and is no longer listed"
