"""``pcp``: the warehouse's command line. Every command calls the same functions Airflow runs."""

from __future__ import annotations

import argparse
import os
import sys

from warehouse.core.errors import PipelineError
from warehouse.core.safe_messages import scrub


def _cmd_build(args: argparse.Namespace) -> int:
    from warehouse.core import locks
    from warehouse.core.config import paths
    from warehouse.orchestrate import pipeline

    pipeline.ensure_var_writable()
    with locks.one_build():
        report = pipeline.build(force=args.force, accept_moves=args.accept_moves)
    for line in report.lines():
        print(line)
    p = paths()
    print(f"\nAnalysts' database (read-only copy): {p.published}")
    print('Query it:  .venv/bin/pcp sql "select * from marts.metric_values limit 10"')
    return _refusals(args.command, report)


def _refusals(command: str, report) -> int:
    """Exit 2 and say so on stderr if this build refused files (the rest was still published)."""
    if not report.rejected:
        return 0
    what = (
        f"published version {report.version} without them"
        if report.published
        else "nothing published (the published warehouse is unchanged)"
    )
    print(
        f"pcp {command}: {len(report.rejected)} file(s) rejected, {what}; each is held until "
        f"`pcp resolve <load_id> --retry|--drop`:",
        file=sys.stderr,
    )
    for r in report.rejected:
        print(f"load {r.load_id}: {scrub(r.message)}", file=sys.stderr)
    return 2


def _cmd_backfill(args: argparse.Namespace) -> int:
    from warehouse.core import locks
    from warehouse.orchestrate import pipeline

    start, end = _date(args.start, "--start"), _date(args.end, "--end")
    if end < start:
        raise ArgumentError(f"--end {end} is before --start {start}; expected a window from start to end")
    pipeline.ensure_var_writable()
    with locks.one_build():
        report = pipeline.backfill(start, end, domain=args.domain)
    for line in report.lines():
        print(line)
    return _refusals(args.command, report)


class ArgumentError(Exception):
    """A bad command-line value: printed as one line, exit 2."""


def _date(text: str, option: str, *, not_after_today: bool = False):
    """A YYYY-MM-DD argument as a date, or ArgumentError saying what was expected."""
    import datetime as dt

    try:
        d = dt.date.fromisoformat(text)
    except (TypeError, ValueError) as e:
        raise ArgumentError(f"{option} {text!r} is not a date ({e}); expected YYYY-MM-DD, e.g. 2023-03-31") from None
    if not_after_today and d > dt.date.today():
        raise ArgumentError(f"{option} {d} is in the future; expected a date up to today ({dt.date.today()})")
    return d


def _cmd_resolve(args: argparse.Namespace) -> int:
    from warehouse.core import db
    from warehouse.orchestrate import held, pipeline

    pipeline.ensure_working()
    with db.writer() as con:
        print(held.resolve(con, args.load_id, "retry" if args.retry else "dropped"))
    return 0


def _cmd_sql(args: argparse.Namespace) -> int:
    """Read-only, sandboxed (no other files); DuckDB's own message on an error, exit 1."""
    import duckdb

    from warehouse.core import db

    query = args.query if args.query != "-" else sys.stdin.read()
    with db.reader(sandbox=True) as con:
        try:
            rel = con.sql(query)
            if rel is None:
                return 0
            if args.csv:
                rel.to_df().to_csv(sys.stdout, index=False)
            else:
                rel.show(max_rows=args.max_rows, max_width=args.max_width, max_col_width=60)
        except duckdb.Error as e:
            print(str(e), file=sys.stderr)  # DuckDB's own message: it names the problem and the position
            return 1
    return 0


def _cmd_expectations(args: argparse.Namespace) -> int:
    from warehouse.gate import quality

    for name in quality.build_suites():
        print(f"suite {name}")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from warehouse.core import contracts, db
    from warehouse.core.config import paths
    from warehouse.ingest import landing
    from warehouse.orchestrate import held
    from warehouse.publish import versions, withdrawals

    p = paths()
    print(f"published: {p.published} (version {versions.published_version()})")
    print(f"kept versions (oldest first): {', '.join(v.stem for v in versions.kept_versions()) or 'none'}")
    withdrawn = withdrawals.listed()
    print(f"withdrawn loads ({len(withdrawn)}; `pcp reinstate <load_id>` puts one back):")
    for w in withdrawn:
        print(f"  {w}")
    # the working file knows about loads since the last publish; the published copy if a build holds it
    source = p.working if p.working.exists() else p.published
    try:
        ctx = db.reader(source)
        con = ctx.__enter__()
    except PipelineError:
        source = p.published
        ctx = db.reader(source)
        con = ctx.__enter__()
    try:
        con.sql(
            "select source_table, count(*) loads, sum(rows_read) rows, "
            "count(*) filter (where status = 'rejected') rejected, max(loaded_at) last_loaded "
            "from meta.loads group by 1 order by 1"
        ).show()
        has_resolution = con.execute(
            "select count(*) from information_schema.columns where table_schema = 'meta' "
            "and table_name = 'loads' and column_name = 'resolution'"
        ).fetchone()[0]
        waiting = held.outstanding(con) if has_resolution else []
    finally:
        ctx.__exit__(None, None, None)
    skipped, notes = landing.scan(list(contracts.all_contracts()))
    problems = [s for s in skipped if not s.waiting]
    if not waiting and not problems:
        print("needs attention: nothing")
    else:
        print("NEEDS ATTENTION:")
        for h in waiting:
            print(f"  held: {h}")
        for s in problems:
            print(f"  not loaded: {s}")
    for s in skipped:
        if s.waiting and s.why != "manifest":
            print(f"waiting: {s}")
    for n in notes:
        print(f"note: {n}")
    return 0


def _cmd_lineage(args: argparse.Namespace) -> int:
    from warehouse.publish import lineage

    try:
        lines = lineage.describe(args.metric_id, args.area, args.period)
    except KeyError as e:
        print(f"pcp lineage: {e.args[0]}", file=sys.stderr)
        return 2
    for line in lines:
        print(line)
    return 0


def _cmd_rollback(args: argparse.Namespace) -> int:
    from warehouse.publish import withdrawals

    target, withdrawn = withdrawals.rollback()
    print(f"rolled back: {target.stem} is published again")
    for w in withdrawn:
        print(f"  withdrawn until reinstated: {w}")
    if withdrawn:
        print("Later builds leave these loads out; `pcp reinstate <load_id>` (or --all) puts them back.")
    return 0


def _cmd_withdraw(args: argparse.Namespace) -> int:
    from warehouse.publish import withdrawals

    for w in withdrawals.withdraw(args.load_id):
        print(f"withdrawn: {w}")
    print("The next `pcp build` publishes the figures without it; `pcp reinstate <load_id>` puts it back.")
    return 0


def _cmd_reinstate(args: argparse.Namespace) -> int:
    from warehouse.publish import withdrawals

    if not args.all and not args.load_id:
        print("pcp reinstate: give load ids or --all (`pcp status` lists withdrawn loads)", file=sys.stderr)
        return 2
    for w in withdrawals.reinstate(None if args.all else args.load_id):
        print(f"reinstated: load {w.load_id} {w.source_table}: {w.source_file}")
    print("The next `pcp build` publishes the figures with it again.")
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    import datetime as dt

    from warehouse.core import contracts
    from warehouse.ingest import extract

    if not args.source:  # no name: say what can be extracted
        for name, src in extract.catalogue().items():
            print(f"{name:28} {src.kind:15} -> {src.table}")
        return 0
    try:
        source = extract.get_source(args.source)
        months = None
        if args.months:
            first, _, last = args.months.partition(":")
            months = extract.months_between(first, last or first)
        arrived = dt.date.fromisoformat(args.date) if args.date else None
        results = extract.extract(args.source, base_url=args.base_url, arrived=arrived, months=months)
    except (KeyError, ValueError) as e:
        print(f"pcp extract: {e.args[0] if e.args else e}", file=sys.stderr)
        return 2
    for r in results:
        print(r)
    if source.table not in contracts.all_contracts():
        print(f"note: no source contract reads {source.table} yet, so `pcp build` will not load it")
    elif any(r.status == "landed" for r in results):
        print("run `pcp build` to load it")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    import datetime as dt

    from warehouse.report.data import UnknownForceError
    from warehouse.report.pack import build_pack

    forces = args.force or ["Thames Valley", "Leicestershire"]
    as_at = _date(args.as_at, "--as-at", not_after_today=True) if args.as_at else dt.date.today()
    for force in forces:
        try:
            pack = build_pack(force, as_at)
        except UnknownForceError as e:  # a typo: one line naming the nearest forces, no traceback
            print(f"pcp report: {e}", file=sys.stderr)
            return 2
        print(f"{force}: milestone pack in {pack.folder}")
        for line in pack.notices:
            print(f"  {line}")
        for f in pack.files:
            print(f"  {f.name}")
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    import datetime as dt
    from pathlib import Path

    from warehouse import samples

    try:
        if args.feed == "defaults":
            landed = samples.land_defaults(seed=args.seed)
            print(
                f"landed {len(landed)} SAMPLE files for {', '.join(samples.DEFAULT_FORCES)} "
                f"({samples.DEFAULT_START:%Y-%m} to {samples.default_end():%Y-%m}) under the landing zone; "
                f"run `pcp build` to load them"
            )
            return 0
        if not args.out:
            raise ValueError("--out DIR is required (or use `pcp sample defaults` to land the standard set)")
        forces = [f for f in args.forces.split(",") if f.strip()]
        files = list(
            samples.write_feed(
                args.feed,
                forces,
                dt.date.fromisoformat(args.start),
                dt.date.fromisoformat(args.end),
                args.seed,
                Path(args.out),
                args.scale,
            )
        )
    except (KeyError, ValueError) as e:
        print(f"pcp sample: {e.args[0] if e.args else e}", file=sys.stderr)
        return 2
    print(f"wrote {len(files)} SAMPLE {args.feed} file(s) to {args.out}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from warehouse.publish import export

    done = export.export(Path(args.out) if args.out else None)
    print(f"exported {len(done.tables)} tables as Parquet and CSV with data_dictionary.csv to {done.folder}")
    if done.suppressed:
        print(f"small-number suppression applied to: {', '.join(done.suppressed)}")
    return 0


def _cmd_docs(args: argparse.Namespace) -> int:
    from warehouse.core.config import paths
    from warehouse.orchestrate import pipeline
    from warehouse.transform import dbt_runner

    p = paths()
    if not p.published.exists():
        raise FileNotFoundError(f"no published warehouse at {p.published}: run `pcp build` first")
    pipeline.ensure_working()
    out = dbt_runner.docs_static(p.docs_html)
    print(f"dbt docs, one self-contained HTML file (open it in a browser, works offline): {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="pcp", description="Police and Crime Panel performance warehouse")
    sub = ap.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="load, validate, dbt build and publish everything bundled or landed")
    b.add_argument("--force", action="store_true", help="rebuild and publish even if nothing changed")
    b.add_argument(
        "--accept-moves",
        action="store_true",
        help="publish even if published figures move past their limit (recorded in meta.movements)",
    )
    b.set_defaults(fn=_cmd_build)

    bf = sub.add_parser("backfill", help="re-load files landed between two dates and rebuild (idempotent)")
    bf.add_argument("--start", required=True, help="first landing date YYYY-MM-DD (inclusive)")
    bf.add_argument("--end", required=True, help="last landing date YYYY-MM-DD (inclusive)")
    bf.add_argument("--domain", help="only this source domain (e.g. workforce); default all")
    bf.set_defaults(fn=_cmd_backfill)

    s = sub.add_parser("sql", help="query the published warehouse read-only")
    s.add_argument("query", help="SQL text, or - to read it from standard input")
    s.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    s.add_argument("--max-rows", type=int, default=200)
    s.add_argument("--max-width", type=int, default=200)
    s.set_defaults(fn=_cmd_sql)

    e = sub.add_parser("expectations", help="rebuild the Great Expectations suites from the source contracts")
    e.set_defaults(fn=_cmd_expectations)

    st = sub.add_parser("status", help="what is published and what was loaded")
    st.set_defaults(fn=_cmd_status)

    rp = sub.add_parser("report", help="write a force's milestone pack (XLSX, CSV, HTML, PDF) to var/reports")
    rp.add_argument(
        "--force", action="append", help="force name (repeatable); default Thames Valley and Leicestershire"
    )
    rp.add_argument("--as-at", help="data as at this date (YYYY-MM-DD); default today")
    rp.set_defaults(fn=_cmd_report)

    ex = sub.add_parser(
        "export",
        help="write the published marts and reference tables as Parquet and CSV "
        "with a data dictionary (var/exports/<version>/)",
    )
    ex.add_argument("--out", help="folder to write into (default var/exports/<version>)")
    ex.set_defaults(fn=_cmd_export)

    dc = sub.add_parser(
        "docs", help="write the dbt docs (every model and column) as one HTML file, var/docs/index.html"
    )
    dc.set_defaults(fn=_cmd_docs)

    rs = sub.add_parser("resolve", help="settle a rejected (held) load: read it again at the next build, or drop it")
    rs.add_argument("load_id", type=int, help="the load id `pcp status` or the build lists as held")
    how = rs.add_mutually_exclusive_group(required=True)
    how.add_argument("--retry", action="store_true", help="read the file again at the next `pcp build` (after a fix)")
    how.add_argument("--drop", action="store_true", help="leave it out for good; no longer listed")
    rs.set_defaults(fn=_cmd_resolve)

    r = sub.add_parser(
        "rollback",
        help="publish the previous version again and withdraw the loads only the "
        "rolled-back version had (until `pcp reinstate`)",
    )
    r.set_defaults(fn=_cmd_rollback)

    wd = sub.add_parser("withdraw", help="take accepted loads out of the figures from the next build on")
    wd.add_argument("load_id", type=int, nargs="+")
    wd.set_defaults(fn=_cmd_withdraw)

    ri = sub.add_parser("reinstate", help="put withdrawn loads back (the next build publishes them)")
    ri.add_argument("load_id", type=int, nargs="*")
    ri.add_argument("--all", action="store_true", help="every withdrawn load")
    ri.set_defaults(fn=_cmd_reinstate)

    ln = sub.add_parser("lineage", help="where a published figure came from: files, sha256, loads, dbt models")
    ln.add_argument("metric_id")
    ln.add_argument("--area", help="area code, e.g. E23000029 (default: every area)")
    ln.add_argument("--period", help="period end YYYY-MM-DD: with --area, the loads and rows behind that one figure")
    ln.set_defaults(fn=_cmd_lineage)

    x = sub.add_parser("extract", help="download a public source into var/landing (opt-in; builds stay offline)")
    x.add_argument(
        "source",
        nargs="?",
        help="a name from warehouse/ingest/extract_sources.yml (omit it to list them), e.g. workforce_ew_timeseries",
    )
    x.add_argument("--base-url", help="fetch from this server instead (a mirror, or a test server)")
    x.add_argument("--date", help="landing folder date YYYY-MM-DD, i.e. the vintage (default today)")
    x.add_argument("--months", help="police.uk sources: YYYY-MM or YYYY-MM:YYYY-MM")
    x.set_defaults(fn=_cmd_extract)

    sm = sub.add_parser(
        "sample", help="write SAMPLE force-internal feed files (calls, specials, ...) in their contract"
    )
    sm.add_argument(
        "feed",
        help="calls, digital_contacts, specials, domestic_abuse, hate_crime, or defaults "
        "(land the standard sample set for `pcp build`)",
    )
    sm.add_argument("--forces", default="Thames Valley,Leicestershire", help="comma-separated force names or codes")
    sm.add_argument("--start", default="2021-04-01", help="first month (YYYY-MM-DD)")
    sm.add_argument("--end", default="2023-03-31", help="last month (YYYY-MM-DD)")
    sm.add_argument("--seed", type=int, default=42)
    sm.add_argument("--scale", type=float, default=1.0, help="calls and digital contacts: share of a realistic volume")
    sm.add_argument("--out", help="folder to write one file per force per month into")
    sm.set_defaults(fn=_cmd_sample)
    return ap


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    args = parser().parse_args(argv)
    from warehouse.core.locks import BuildRunning

    try:
        return args.fn(args)
    except BuildRunning as e:
        print(f"pcp {args.command}: {e}")
        return 0
    except ArgumentError as e:
        print(f"pcp {args.command}: {e}", file=sys.stderr)
        return 2
    except PipelineError as e:
        print(f"pcp {args.command}: stopped, nothing published: {scrub(str(e))}", file=sys.stderr)
        return 2
    except FileNotFoundError as e:
        print(f"pcp {args.command}: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"pcp {args.command}: interrupted, nothing published", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the environment (disk, DuckDB, OS): one line here, details in a log
        log = _log_traceback(args.command)
        first = (scrub(str(e)).strip().splitlines() or [""])[0]
        print(
            f"pcp {args.command}: stopped, nothing published: {type(e).__name__}: {first} (details in {log})",
            file=sys.stderr,
        )
        return 2


def _log_traceback(command: str) -> str:
    """Keep the full traceback for whoever debugs it, out of the user's way."""
    import datetime as dt
    import traceback

    from warehouse.core.config import paths
    from warehouse.core.private_files import private_file

    try:
        f = paths().var / "logs" / "pcp-errors.log"
        with private_file(f) as fh:
            fh.write(
                f"--- {dt.datetime.now().isoformat(timespec='seconds')} pcp {command}\n"
                f"{scrub(traceback.format_exc())}\n"
            )
        return str(f)
    except OSError:
        return "no log: var/ is not writable"


if __name__ == "__main__":
    sys.exit(main())
