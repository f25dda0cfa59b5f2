"""``pcp``: the warehouse's command line. Every command calls the same functions Airflow runs."""

from __future__ import annotations

import argparse
import os
import sys

from warehouse.errors import PipelineError


def _cmd_build(args: argparse.Namespace) -> int:
    from warehouse import pipeline
    from warehouse.config import paths

    report = pipeline.build(force=args.force)
    for line in report.lines():
        print(line)
    p = paths()
    print(f"\nAnalysts' database (read-only copy): {p.published}")
    print(f"Query it:  .venv/bin/pcp sql \"select * from marts.metric_values limit 10\"")
    return 0


def _cmd_sql(args: argparse.Namespace) -> int:
    from warehouse import db

    query = args.query if args.query != "-" else sys.stdin.read()
    with db.reader() as con:
        rel = con.sql(query)
        if rel is None:
            return 0
        if args.csv:
            rel.to_df().to_csv(sys.stdout, index=False)
        else:
            rel.show(max_rows=args.max_rows, max_width=args.max_width, max_col_width=60)
    return 0


def _cmd_expectations(args: argparse.Namespace) -> int:
    from warehouse import quality

    for name in quality.build_suites():
        print(f"suite {name}")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from warehouse import db, publish
    from warehouse.config import paths

    p = paths()
    print(f"published: {p.published} (version {publish.published_version()})")
    print(f"kept versions: {', '.join(v.stem for v in publish.versions()) or 'none'}")
    with db.reader() as con:
        con.sql("select source_table, count(*) loads, sum(rows_read) rows, "
                "count(*) filter (where status = 'rejected') rejected, max(loaded_at) last_loaded "
                "from meta.loads group by 1 order by 1").show()
    return 0


def _cmd_rollback(args: argparse.Namespace) -> int:
    from warehouse import publish

    target = publish.rollback()
    print(f"rolled back: {target.stem} is published again")
    return 0


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="pcp", description="Police and Crime Panel performance warehouse")
    sub = ap.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="load, validate, dbt build and publish everything bundled or landed")
    b.add_argument("--force", action="store_true", help="rebuild and publish even if nothing changed")
    b.set_defaults(fn=_cmd_build)

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

    r = sub.add_parser("rollback", help="publish the previous version again")
    r.set_defaults(fn=_cmd_rollback)
    return ap


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "False")
    args = parser().parse_args(argv)
    try:
        return args.fn(args)
    except PipelineError as e:
        print(f"pcp {args.command}: stopped, nothing published.\n{e}", file=sys.stderr)
        return 2
    except FileNotFoundError as e:
        print(f"pcp {args.command}: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
