"""``pcp export``: the published marts and reference tables as Parquet and CSV, with a data dictionary.

For spreadsheet, BI and R users (Power BI and R read Parquet; Excel reads the CSV). Written from the
published file (read-only) into ``var/exports/<version>/``:
  ``parquet/<schema>.<table>.parquet``, ``csv/<schema>.<table>.csv`` (UTF-8, header row, ISO dates),
  ``data_dictionary.csv`` (schema, table, column, type, description: the dbt docs, persisted as
  comments in the published file) and ``README.txt`` (version, licence, SAMPLE and suppression notes).
Below-force tables of the special-category domains (domestic abuse, hate crime by community safety
partnership) are exported with small-number suppression, as in the panel packs: counts under 10 and
the secondary cells that would reveal them are ``[c]`` (those columns are text), rates left out.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.core import db
from warehouse.core.config import paths
from warehouse.publish import versions

SCHEMAS = ("marts", "reference")
# Below-force tables of special-category domains: exported only through suppression.
SUPPRESSED_TABLES = {"fct_domestic_abuse_monthly": "domestic_abuse", "fct_hate_crime_monthly": "hate_crime"}


@dataclass
class Export:
    folder: Path
    tables: list[str]
    suppressed: list[str]


def _tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
    return con.execute(
        "select schema_name, table_name, comment from duckdb_tables() where schema_name in "
        "(select unnest(?::varchar[])) order by 1, 2",
        [list(SCHEMAS)],
    ).fetchall()


def _suppressed_frame(con: duckdb.DuckDBPyConnection, table: str):
    from warehouse.report.tables import suppressed_breakdown

    df = con.execute(f'select * from marts."{table}"').df()
    if "csp_code" not in df.columns:  # force-level only: no small areas to protect
        return None
    out = suppressed_breakdown(SUPPRESSED_TABLES[table], df)
    # counts with [c] are text: say so to DuckDB, which would otherwise guess a number from the first rows
    return out.astype({c: "string" for c in out.columns if out[c].dtype == object})


def export(out: Path | None = None) -> Export:
    """Write every marts and reference table of the published version; returns what was written."""
    version = versions.published_version() or "unversioned"
    folder = Path(out or paths().var / "exports" / version)
    (folder / "parquet").mkdir(parents=True, exist_ok=True)
    (folder / "csv").mkdir(parents=True, exist_ok=True)
    written, suppressed, dictionary = [], [], []
    with db.reader() as con:
        for schema, table, comment in _tables(con):
            name = f"{schema}.{table}"
            frame = _suppressed_frame(con, table) if schema == "marts" and table in SUPPRESSED_TABLES else None
            if frame is not None:
                suppressed.append(name)
                con.register("_suppressed", frame)
                rel = con.sql("select * from _suppressed")
            else:
                rel = con.sql(f'select * from "{schema}"."{table}"')
            rel.write_parquet(str(folder / "parquet" / f"{name}.parquet"))
            rel.write_csv(str(folder / "csv" / f"{name}.csv"), header=True, date_format="%Y-%m-%d")
            columns = list(zip(rel.columns, (str(t) for t in rel.types)))
            if frame is not None:
                con.unregister("_suppressed")
            written.append(name)
            described = dict(
                con.execute(
                    "select column_name, comment from duckdb_columns() where schema_name = ? and table_name = ?",
                    [schema, table],
                ).fetchall()
            )
            for col, typ in columns:
                note = described.get(col) or ""
                if frame is not None and col in described and typ == "VARCHAR":
                    note += " Suppressed cells show [c]."
                dictionary.append([schema, table, col, typ, note.strip(), comment or ""])
    with open(folder / "data_dictionary.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["schema", "table", "column", "type", "description", "table_description"])
        w.writerows(dictionary)
    (folder / "README.txt").write_text(
        f"Police and Crime Panel performance warehouse: export of published version {version}.\n"
        f"parquet/ and csv/ hold the same {len(written)} tables (schemas marts and reference);\n"
        f"data_dictionary.csv describes every column.\n"
        f"Rows with is_sample = true are generated SAMPLE data, not real figures: never quote them as real.\n"
        f"Suppressed (counts under 10 below force level, and cells that would reveal them, shown as [c]; "
        f"rates left out): {', '.join(suppressed) or 'none'}.\n"
        f"Contains public sector information licensed under the Open Government Licence v3.0.\n"
    )
    return Export(folder, written, suppressed)
