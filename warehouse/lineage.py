"""``pcp lineage <metric_id> [--area CODE]``: where a published figure came from.

Everything is read from the published file itself: the publication record (code version, the dbt
graph of the build, the accepted loads with their sha256) and meta.loads, so the answer describes
exactly the version analysts are reading.
"""

from __future__ import annotations

import json

from warehouse import contracts, db, publish


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
    rows = con.execute("select table_schema from information_schema.columns where table_name = ? "
                       "and column_name = 'metric_id'", [name]).fetchall()
    return f'"{rows[0][0]}"."{name}"' if rows else None


def describe(metric_id: str, area: str | None = None) -> list[str]:
    with db.reader() as con:
        pub = publish.latest_publication(con, "version, code_version, lineage")
        if not pub:
            raise KeyError("the published warehouse has no publication record")
        version, code, graph_json = pub
        graph = json.loads(graph_json or "{}")
        metric = con.execute("select label, unit from reference.metrics where metric_id = ?", [metric_id]).fetchall()
        if not metric:
            raise KeyError(f"no metric {metric_id!r} in reference.metrics")
        out = [f"{metric_id}: {metric[0][0]} [{metric[0][1]}]",
               f"published version {version}, code {code}"]
        where, params = "metric_id = ?", [metric_id]
        if area:
            where, params = where + " and area_code = ?", params + [area]
        vals = con.execute(f"select area_code, area_name, period_end, value, is_sample, source from marts.metric_values "
                           f"where {where} order by period_end desc, area_code limit 5", params).fetchall()
        n = con.execute(f"select count(*), min(period_end), max(period_end) from marts.metric_values where {where}",
                        params).fetchall()[0]
        out.append(f"figures: {n[0]:,} in marts.metric_values ({n[1]} to {n[2]}){' for ' + area if area else ''}")
        out += [f"  {a} {nm} {p}: {v:,.2f}{' SAMPLE' if s else ''} ({src})" for a, nm, p, v, s, src in vals]

        # the intermediate model that emits this metric, then everything upstream of it
        producers = []
        for parent in graph.get(next((k for k in graph if k.endswith(".metric_values")), ""), []):
            rel = _relation(con, parent.split(".")[-1])
            if rel and con.execute(f"select count(*) from {rel} where metric_id = ?", [metric_id]).fetchall()[0][0]:
                producers.append(parent)
        chain = []
        for p in producers:
            chain += [p] + [a for a in _ancestors(graph, p) if a not in chain]
        out.append("dbt models: marts.metric_values <- " + (" <- ".join(
            c.split(".")[-1] for c in chain if c.startswith("model.")) or "(unknown: no dbt graph recorded)"))
        seeds = [c.split(".")[-1] for c in chain if c.startswith("seed.")]
        if seeds:
            out.append("reference seeds: " + ", ".join(sorted(set(seeds))))
        by_source = {(c.source, c.name): c for c in contracts.all_contracts().values()}
        for s in [c for c in chain if c.startswith("source.")]:
            _, _, src, name = s.split(".", 3)
            if src == "meta" or (src, name) not in by_source:
                continue
            c = by_source[(src, name)]
            out.append(f"source raw.{c.table}: {c.meta.get('publisher', '')}, {c.meta.get('title', '')}")
            for row in con.execute(
                    "select load_id, source_file, sha256, vintage, rows_read, coalesce(rows_quarantined, 0), loaded_at "
                    "from meta.loads where source_table = ? and status = 'accepted' order by load_id", [c.table]
            ).fetchall():
                lid, f, sha, vint, rows, q, at = row
                out.append(f"  load {lid}: {f} sha256 {sha} vintage {vint} rows {rows:,} "
                           f"(quarantined {q:,}) loaded {at:%Y-%m-%d %H:%M}")
    return out
