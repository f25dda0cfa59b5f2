"""One rule, one place (issue 20): each rule has one definition, and nothing else restates it.

Force name -> area code (warehouse/core/reference.py over seeds/reference/force_aliases.csv), the latest
publication (versions.LATEST), a metric's unit (seeds/reference/metrics.csv) and the status rule in
words (seeds/reference/status_rules.csv).
"""

from __future__ import annotations

import csv
import inspect
import re
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT
from warehouse import samples
from warehouse.core import reference
from warehouse.ingest.readers import home_office_workforce_tables
from warehouse.publish import versions
from warehouse.report import data as report_data

REFERENCE = PROJECT / "seeds/reference"


def _csv(name: str) -> list[dict]:
    with open(REFERENCE / name, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _python_files():
    for root in ("warehouse", "dags", "scripts"):
        yield from (p for p in (PROJECT / root).rglob("*.py") if "__pycache__" not in p.parts)


# ------------------------------------------------------------------ force name -> area code


def test_every_force_name_in_forces_csv_resolves_through_the_alias_table_to_its_code():
    for r in _csv("forces.csv"):
        for name in {r["area_name"], r["home_office_name"]}:
            assert reference.resolve_force(name) == r["area_code"], name


def test_readers_reports_and_samples_use_the_one_resolver():
    known = {a: c for a, c in reference.aliases().items() if c}
    assert home_office_workforce_tables.force_codes() == known
    renamed = "Hampshire and Isle of Wight Constabulary"
    assert reference.area_code_of(renamed) == reference.area_code_of("  hampshire  ") == "E23000030"
    assert reference.area_code_of("e23000029") == "E23000029" and reference.area_code_of("Atlantis") is None
    for alias, code in known.items():  # `pcp sample` accepts whatever the gate accepts
        assert samples.find_force(alias.upper()).area_code == code, alias


def test_report_resolves_any_alias_against_the_published_areas(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute(
        "create table marts.dim_areas as select * from read_csv(?, all_varchar=true)", [str(REFERENCE / "forces.csv")]
    )
    con.execute("insert into marts.dim_areas (area_code, area_name) values ('K04000001', 'England and Wales')")
    assert report_data.resolve_area(con, "Hampshire and Isle of Wight Constabulary") == ("E23000030", "Hampshire")
    assert report_data.resolve_area(con, "thames valley police") == ("E23000029", "Thames Valley")
    assert report_data.resolve_area(con, "k04000001") == ("K04000001", "England and Wales")
    with pytest.raises(report_data.UnknownForceError, match="did you mean 'Surrey'"):
        report_data.resolve_area(con, "Surry")


def test_no_other_code_maps_force_names():
    """Python reads the alias table only through warehouse/core/reference.py; dbt staging joins names on
    the force_aliases seed only, never on forces' name columns."""
    for p in _python_files():
        text = p.read_text()
        if p.name != "reference.py":
            assert 'force_aliases.csv"' not in text and "home_office_name" not in text, p
    for p in (PROJECT / "dbt_project/models").rglob("*.sql"):
        text = p.read_text()
        assert not re.search(r"\.(home_office_name|area_name)\s*=\s*[a-z]+\.\w*force", text, re.I), p
        assert not re.search(r"when '[^']+' then '[^']+' else \w+\.force", text, re.I), p


# ------------------------------------------------------------------ the latest publication


def test_only_publish_says_which_publication_is_the_latest():
    pattern = re.compile(
        r"from\s+meta\.publications[^\"']*order\s+by[^\"']*desc[^\"']*limit\s+1"
        r"|max\s*\(\s*(seq|version|published_at)\s*\)\s+from\s+meta\.publications",
        re.I,
    )
    offenders = []
    home = Path(inspect.getsourcefile(versions)).resolve()  # the module that defines LATEST
    for p in [*_python_files(), *(PROJECT / "tests").rglob("*.py"), *(PROJECT / "dbt_project").rglob("*.sql")]:
        if p.resolve() == home or p.name == "test_one_rule.py":
            continue
        offenders += [f"{p.relative_to(PROJECT)}: {m.group(0)}" for m in pattern.finditer(p.read_text())]
    assert offenders == [], offenders
    assert "order by seq desc" in versions.LATEST


# ------------------------------------------------------------------ units


def test_metric_values_takes_its_unit_from_metrics_csv():
    sql = (PROJECT / "dbt_project/models/marts/core/metric_values.sql").read_text()
    assert "m.unit" in sql and "ref('metrics')" in sql and "u.unit" not in sql


def test_every_unit_written_in_sql_agrees_with_metrics_csv(built_var):
    """The int_metrics models still carry a unit column (their rows' shape); it may not disagree."""
    con = duckdb.connect(str(built_var / "build/working.duckdb"), read_only=True)
    try:
        views = [
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where "
                "table_schema = 'intermediate' and table_name like 'int_metrics__%'"
            ).fetchall()
        ]
        assert len(views) >= 7
        for v in views:
            bad = con.execute(f"""select distinct i.metric_id, i.unit, m.unit from intermediate.{v} as i
                                  left join reference.metrics as m using (metric_id)
                                  where i.unit is distinct from m.unit""").fetchall()
            assert bad == [], (v, bad)
        assert (
            con.execute("""select count(*) from marts.metric_values as v join reference.metrics as m
                              using (metric_id) where v.unit is distinct from m.unit""").fetchone()[0]
            == 0
        )
    finally:
        con.close()


# ------------------------------------------------------------------ the status rule in words


def test_the_status_rule_is_stated_once_and_read_everywhere():
    rules = {r["rule_id"]: r["plain_words"] for r in _csv("status_rules.csv")}
    assert report_data.status_rules() == rules  # the packs' fallback is the seed itself, not a copy
    readme = " ".join((PROJECT / "README.md").read_text().split())
    assert rules["summary"] in readme
    # no module keeps its own wording of a rule (the old RAG_RULE fallback said "Green: ... Amber: ...")
    fragments = [w[:60] for w in rules.values()] + ["Green: on or ahead", "Amber: behind"]
    for p in _python_files():
        text = " ".join(p.read_text().split())
        assert not [f for f in fragments if f in text], p
