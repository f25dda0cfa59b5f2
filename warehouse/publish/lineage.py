"""``pcp lineage <metric_id> [--area CODE] [--period DATE]``: where a published figure came from.

Everything is read from the published file itself: the publication record (code version, the dbt
graph of the build, the accepted loads with their sha256), meta.loads and meta.figure_loads, so the
answer describes exactly the version analysts are reading. With ``--area`` and ``--period`` it names
the one figure's inputs: for each source upstream of the metric, the loads (file, sha256, vintage)
whose rows the staging model kept for that area and period, with their row counts - not every load of
the table. The staging models are person-level and stay in the pipeline's storage, so the build
counts their rows per model, area, period and load into ``meta.figure_loads`` (``record_figure_loads``)
and the analysts' file carries those counts.
England and Wales (K04000001) is the sum of the forces, so its inputs are every area's rows.
"""

from __future__ import annotations

import json

from warehouse.core import contracts, db, meta_tables
from warehouse.publish import versions


def _ancestors(graph: dict[str, list[str]], node: str) -> list[str]:
    seen, todo = [], [node]
    while todo:
        for parent in graph.get(todo.pop(), []):
            if parent not in seen:
                seen.append(parent)
                todo.append(parent)
    return seen


def _relation(con, name: str) -> str | None:
    """The model's table if it has a metric_id column (the int_metrics__* models feeding metric_values)."""
    rows = con.execute(
        "select table_schema from information_schema.columns where table_name = ? "
        "and column_name = 'metric_id' and table_catalog = current_database()",
        [name],
    ).fetchall()
    return f'"{rows[0][0]}"."{name}"' if rows else None


def describe(metric_id: str, area: str | None = None, period: str | None = None) -> list[str]:
    with db.reader() as con:
        pub = versions.latest_publication(con, "version, code_version, lineage")
        if not pub:
            raise KeyError("the published warehouse has no publication record")
        version, code, graph_json = pub
        graph = json.loads(graph_json or "{}")
        metric = con.execute("select label, unit from reference.metrics where metric_id = ?", [metric_id]).fetchall()
        if not metric:
            raise KeyError(f"no metric {metric_id!r} in reference.metrics")
        out = [f"{metric_id}: {metric[0][0]} [{metric[0][1]}]", f"published version {version}, code {code}"]
        where, params = "metric_id = ?", [metric_id]
        if area:
            where, params = where + " and area_code = ?", params + [area]
        if period:
            where, params = where + " and period_end = ?::date", params + [period]
        vals = con.execute(
            f"select area_code, area_name, period_end, value, is_sample, source from marts.metric_values "
            f"where {where} order by period_end desc, area_code limit 5",
            params,
        ).fetchall()
        n = con.execute(
            f"select count(*), min(period_end), max(period_end) from marts.metric_values where {where}", params
        ).fetchall()[0]
        out.append(f"figures: {n[0]:,} in marts.metric_values ({n[1]} to {n[2]}){' for ' + area if area else ''}")
        out += [f"  {a} {nm} {p}: {v:,.2f}{' SAMPLE' if s else ''} ({src})" for a, nm, p, v, s, src in vals]

        # the intermediate model that emits this metric, then everything upstream of it
        emitted_by = (
            {
                m
                for (m,) in con.execute(
                    "select model from meta.metric_models where metric_id = ?", [metric_id]
                ).fetchall()
            }
            if db.has_table(con, "meta", "metric_models")
            else set()
        )
        producers = [
            p
            for p in graph.get(next((k for k in graph if k.endswith(".metric_values")), ""), [])
            if p.split(".")[-1] in emitted_by
        ]
        chain = []
        for p in producers:
            chain += [p] + [a for a in _ancestors(graph, p) if a not in chain]
        only = _declared_sources(con, metric_id)
        if only:  # drop the models that only carry sources this metric does not use
            tables = {(c.source, c.name): t for t, c in contracts.all_contracts().items()}

            def table_of(node: str) -> str | None:
                return tables.get(tuple(node.split(".", 3)[2:])) if node.startswith("source.") else None

            chain = [
                c
                for c in chain
                if not c.startswith(("model.", "source."))
                or any(table_of(a) in only for a in [c, *_ancestors(graph, c)])
            ]
        out.append(
            "dbt models: marts.metric_values <- "
            + (
                " <- ".join(c.split(".")[-1] for c in chain if c.startswith("model."))
                or "(unknown: no dbt graph recorded)"
            )
        )
        seeds = [c.split(".")[-1] for c in chain if c.startswith("seed.")]
        if seeds:
            out.append("reference seeds: " + ", ".join(sorted(set(seeds))))
        by_source = {(c.source, c.name): c for c in contracts.all_contracts().values()}
        staging_of = {
            p: [m for m, parents in graph.items() if p in parents and ".stg_" in m]
            for p in chain
            if p.startswith("source.")
        }
        for s in [c for c in chain if c.startswith("source.")]:
            _, _, src, name = s.split(".", 3)
            if src == "meta" or (src, name) not in by_source:
                continue
            c = by_source[(src, name)]
            if only and c.table not in only:
                continue  # upstream of the model, but not of this metric (reference.metric_sources)
            out.append(f"source raw.{c.table}: {c.meta.get('publisher', '')}, {c.meta.get('title', '')}")
            if area and period:
                out += _figure_loads(con, c.table, [m.split(".")[-1] for m in staging_of.get(s, [])], area, period)
                continue
            for row in con.execute(
                "select load_id, source_file, sha256, vintage, rows_read, coalesce(rows_quarantined, 0), loaded_at "
                "from meta.loads where source_table = ? and status = 'accepted' order by load_id",
                [c.table],
            ).fetchall():
                lid, f, sha, vint, rows, q, at = row
                out.append(
                    f"  load {lid}: {f} sha256 {sha} vintage {vint} rows {rows:,} "
                    f"(quarantined {q:,}) loaded {at:%Y-%m-%d %H:%M}"
                )
    return out


def _declared_sources(con, metric_id: str) -> set[str]:
    """The raw tables reference.metric_sources names for the metric (empty: every upstream source)."""
    if not con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'reference' and table_name = 'metric_sources'"
    ).fetchone()[0]:
        return set()
    return {
        t
        for (t,) in con.execute(
            "select source_table from reference.metric_sources where metric_id = ?", [metric_id]
        ).fetchall()
    }


def _columns(con, model: str) -> set[str]:
    return {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = "
            "'staging' and table_name = ? and table_catalog = current_database()",
            [model],
        ).fetchall()
    }


def record_figure_loads(con) -> None:
    """Count each staging model's rows per area, period and load into meta.figure_loads (working file):
    aggregates only, so per-figure lineage needs no person-level row in the analysts' file."""
    con.execute(meta_tables.FIGURE_LOADS)
    # which model feeding metric_values emits which metric (the intermediate models stay in the working file)
    con.execute(meta_tables.METRIC_MODELS)
    graph = versions.dbt_graph()
    for parent in graph.get(next((k for k in graph if k.endswith(".metric_values")), ""), []):
        rel = _relation(con, parent.split(".")[-1])
        if rel:
            con.execute(
                f"insert into meta.metric_models select distinct ?, metric_id from {rel}", [parent.split(".")[-1]]
            )
    models = [
        m
        for (m,) in con.execute(
            "select distinct table_name from information_schema.columns where "
            "table_schema = 'staging' and column_name = 'load_id' and "
            "table_catalog = current_database() order by 1"
        ).fetchall()
    ]
    meta = versions.dbt_model_meta()
    for model in models:
        cols = _columns(con, model)
        area = "area_code" if "area_code" in cols else "null"
        period = "period_end" if "period_end" in cols else "month" if "month" in cols else "null"
        # a row-level view may name a model holding its rows counted per area, period and load
        # (YAML meta row_counts): the same counts without scanning every row on every build
        counted = meta.get(model, {}).get("row_counts")
        rows, source = (
            (f"sum({counted['rows']})", counted["relation"]) if counted else ("count(*)", f'staging."{model}"')
        )
        con.execute(
            f"insert into meta.figure_loads select ?, ?, ?, {area}::varchar, {period}::date, load_id, {rows} "
            f"from {source} group by all",
            [model, area != "null", period != "null"],
        )


def _figure_loads(con, table: str, staging_models: list[str], area: str, period: str) -> list[str]:
    """The loads whose accepted rows the staging model(s) of ``table`` hold for this area and period
    (the latest period on or before it for a source used as of a date, e.g. population), with row counts."""
    lines = []
    for model in staging_models:
        shape = con.execute(
            "select any_value(has_area), any_value(has_period) from meta.figure_loads where model = ?", [model]
        ).fetchone()
        if shape[0] is None:
            continue  # no load_id column, or no rows at all
        where, params, scope = ["model = ?"], [model], []
        if shape[0] and area != "K04000001":
            where.append("area_code = ?")
            params.append(area)
            scope.append(f"area {area}")
        if shape[1]:
            at = con.execute(
                "select max(period) from meta.figure_loads where period <= ?::date and " + " and ".join(where),
                [period, *params],
            ).fetchone()[0]
            if at is None:
                lines.append(f"  {model}: no rows for {', '.join(scope) or 'any area'} on or before {period}")
                continue
            where.append("period = ?")
            params.append(at)
            scope.append(f"period {str(at)[:10]}")
        rows = con.execute(
            "select s.load_id, l.source_file, l.sha256, l.vintage, sum(s.rows)::bigint from meta.figure_loads as s "
            "join meta.loads as l on l.load_id = s.load_id "
            f"where {' and '.join('s.' + w for w in where)} group by all order by 1",
            params,
        ).fetchall()
        lines.append(f"  {model} rows for {', '.join(scope) or 'every area and period (a lookup)'}:")
        lines += [f"    load {lid}: {f} sha256 {sha} vintage {vint}: {n:,} row(s)" for lid, f, sha, vint, n in rows]
    return lines
