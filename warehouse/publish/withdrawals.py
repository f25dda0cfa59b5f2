"""Rollbacks that stick: withdrawn loads stay out of every later build until someone reinstates them.

``pcp rollback`` serves the previous kept version again and withdraws the loads that the rolled-back
version had and the restored one did not; ``pcp withdraw <load_id>`` withdraws one load by hand;
``pcp reinstate <load_id> | --all`` puts loads back. The list lives in ``var/build/withdrawn-loads.json``
(owner-only), outside the working DuckDB file, so a rollback never waits for a running build. Every
build marks the listed loads ``withdrawn`` in ``meta.loads`` before it fingerprints (``apply``), and a
build that started before a rollback refuses to publish (``check_not_republished``): a load once
withdrawn is never republished by the next build, a build already running, or the Airflow run.

Loads are matched by source table and sha256 (the content), so the list stays true even if the working
file is rebuilt and load ids change. A withdrawn file is not loaded again: its sha256 is known.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb

from warehouse.core.config import paths
from warehouse.core.errors import PipelineError
from warehouse.publish import versions


@dataclass(frozen=True)
class Withdrawn:
    load_id: int
    source_table: str
    source_file: str
    sha256: str
    withdrawn_at: str
    reason: str

    def __str__(self) -> str:
        return (
            f"load {self.load_id} {self.source_table}: {self.source_file} (sha256 {self.sha256[:12]}), "
            f"withdrawn {self.withdrawn_at}: {self.reason}"
        )


def listed() -> list[Withdrawn]:
    path = paths().withdrawn_loads
    if not path.exists():
        return []
    try:
        return [Withdrawn(**w) for w in json.loads(path.read_text())["loads"]]
    except (ValueError, KeyError, TypeError) as e:
        raise PipelineError(
            f"{path} is not a readable withdrawal list ({e}); expected the JSON that `pcp rollback` "
            f"writes. Fix or remove it; nothing was published"
        ) from None


def _save(items: list[Withdrawn]) -> None:
    path = paths().withdrawn_loads
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump({"loads": [asdict(w) for w in items]}, f, indent=1)
    os.replace(tmp, path)


def _published_loads(path: Path) -> dict[tuple[str, str], tuple]:
    """(source_table, sha256) -> (load_id, source_table, source_file, sha256) accepted in that file's version."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        row = versions.latest_publication(con, "loads")
    finally:
        con.close()
    return {(r[1], r[3]): (r[0], r[1], r[2], r[3]) for r in json.loads(row[0] or "[]")} if row else {}


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def rollback() -> tuple[Path, list[Withdrawn]]:
    """Serve the kept version before the served one again and withdraw what only the later one had.

    Returns the kept file now served and the loads withdrawn. Raises PublishError when no earlier
    intact version is kept.
    """
    served = versions.served()  # repairs a damaged served file first (outside the lock it takes)
    with versions.publish_lock():
        current = versions.served_version_on_record() or versions.published_version() or ""
        key = (versions.sequence_of(current), current)
        earlier = [v for v in versions.kept_versions() if (versions.sequence_of(v.stem), v.stem) < key]
        target = next(
            (v for v in reversed(earlier) if versions.intact(v, v.stem) or not versions.kept_checksum(v.stem)), None
        )
        if target is None:
            raise versions.PublishError(
                f"no published version older than {current or 'none'} is kept; nothing to roll back to"
            )
        now_loads = _published_loads(served) if served else {}
        then_loads = _published_loads(target)
        items = listed()
        have = {(w.source_table, w.sha256) for w in items}
        new = [
            Withdrawn(lid, table, f, sha, _now(), f"rolled back from version {current} to {target.stem}")
            for key_, (lid, table, f, sha) in sorted(now_loads.items(), key=lambda kv: kv[1][0])
            if key_ not in then_loads and key_ not in have
        ]
        _save(items + new)
        versions.serve(target)
    return target, new


def withdraw(load_ids: list[int]) -> list[Withdrawn]:
    """Withdraw loads of the served version by id; they leave the figures at the next build."""
    served = versions.served()
    if served is None:
        raise PipelineError("nothing is published yet: there is no load to withdraw")
    by_id = {v[0]: v for v in _published_loads(served).values()}
    unknown = [i for i in load_ids if i not in by_id]
    if unknown:
        raise PipelineError(
            f"load(s) {', '.join(map(str, unknown))} are not accepted loads of the published version "
            f"{versions.published_version()}; `pcp status` lists the loads"
        )
    with versions.publish_lock():
        items = listed()
        have = {(w.source_table, w.sha256) for w in items}
        new = [
            Withdrawn(i, by_id[i][1], by_id[i][2], by_id[i][3], _now(), "withdrawn by `pcp withdraw`")
            for i in load_ids
            if (by_id[i][1], by_id[i][3]) not in have
        ]
        _save(items + new)
    return new


def reinstate(load_ids: list[int] | None) -> list[Withdrawn]:
    """Take loads off the withdrawn list (all of them with None); the next build publishes them again."""
    with versions.publish_lock():
        items = listed()
        back = [w for w in items if load_ids is None or w.load_id in load_ids]
        missing = sorted(set(load_ids or []) - {w.load_id for w in back})
        if missing:
            raise PipelineError(
                f"load(s) {', '.join(map(str, missing))} are not withdrawn; `pcp status` lists withdrawn loads"
            )
        _save([w for w in items if w not in back])
    return back


def apply(con: duckdb.DuckDBPyConnection) -> int:
    """Mark listed loads ``withdrawn`` and reinstated ones ``accepted`` again in the working file.
    Returns how many loads changed status."""
    keys = [[w.source_table, w.sha256] for w in listed()]
    con.execute(
        "create or replace temp table _withdrawn as "
        "select k[1] as source_table, k[2] as sha256 from (select unnest(?::varchar[][]) as k)",
        [keys],
    )
    changed = con.execute(
        "update meta.loads set status = 'withdrawn' where status = 'accepted' "
        "and (source_table, sha256) in (select source_table, sha256 from _withdrawn)"
    ).fetchone()[0]
    changed += con.execute(
        "update meta.loads set status = 'accepted' where status = 'withdrawn' "
        "and (source_table, sha256) not in (select source_table, sha256 from _withdrawn)"
    ).fetchone()[0]
    con.execute("drop table _withdrawn")
    return changed


def check_not_republished(working: Path) -> None:
    """Refuse to publish a build that still holds a load withdrawn after it started (call under the publish lock)."""
    items = listed()
    if not items:
        return
    con = duckdb.connect(str(working), read_only=True)
    try:
        held = con.execute(
            "select load_id, source_file from meta.loads where status = 'accepted' "
            "and (source_table, sha256) in (select unnest(?::varchar[]), unnest(?::varchar[]))",
            [[w.source_table for w in items], [w.sha256 for w in items]],
        ).fetchall()
    finally:
        con.close()
    if held:
        names = ", ".join(f"load {i} ({f})" for i, f in held)
        raise versions.PublishError(
            f"a rollback or withdrawal ran while this build was running: it still holds "
            f"withdrawn {names}; the served version was left as it is. Run `pcp build` again "
            f"(it leaves withdrawn loads out)"
        )
