"""The dbt project's layout and its one-place rules (issue 20).

Layout (dbt Labs' structure guide): staging by source, intermediate and marts by domain, one
``_<dir>__models.yml`` per folder describing that folder's models, every seed described and tested,
shared column descriptions as docs blocks, and special-category domains marked in dbt_project.yml.

Rules: per 100,000 residents, percentages from numerator and denominator, justice outcomes and the
peer-group comparison are written once, in dbt_project/macros/rates.sql; the file checks below fail
if a model restates one, and the checks on the shared build show the published figures agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT

DBT = PROJECT / "dbt_project"
MODELS = DBT / "models"
RATES_MACRO = DBT / "macros" / "rates.sql"
SPECIAL_CATEGORY = {"domestic_abuse", "hate_crime"}


def _yml(path: Path) -> dict:
    return yaml.safe_load(path.read_text()) or {}


def _sql_files() -> list[Path]:
    return sorted([*MODELS.rglob("*.sql"), *(DBT / "macros").glob("*.sql"), *(DBT / "tests").glob("*.sql")])


# --- layout ------------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", ["intermediate", "marts"])
def test_intermediate_and_marts_are_folders_by_domain(layer):
    root = MODELS / layer
    assert not list(root.glob("*.sql")), f"models directly under {layer}/: put them in a domain folder"
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        ymls = sorted(p.name for p in folder.glob("_*__models.yml"))
        assert len(ymls) == 1, f"{folder}: one _<dir>__models.yml, found {ymls}"
        described = {m["name"] for m in _yml(folder / ymls[0]).get("models", [])}
        models = {p.stem for p in folder.glob("*.sql")}
        assert models <= described, f"{folder}: models not described in {ymls[0]}: {sorted(models - described)}"
        assert described <= models, f"{ymls[0]} describes models of another folder: {sorted(described - models)}"


def test_staging_folders_are_sources_named_as_their_folder():
    for folder in sorted(p for p in (MODELS / "staging").iterdir() if p.is_dir()):
        sources = list(folder.glob("_*__sources.yml"))
        assert [p.name for p in sources] == [f"_{folder.name}__sources.yml"], folder
        names = {s["name"] for s in _yml(sources[0])["sources"]}
        assert names == {folder.name}, f"{sources[0]}: source named {names}, folder {folder.name}"
        for sql in folder.glob("*.sql"):
            assert sql.stem.startswith(f"stg_{folder.name}__"), sql
            for src in re.findall(r"source\('(\w+)'", sql.read_text()):
                assert src in (folder.name, "meta"), f"{sql.name} reads source {src!r}, not {folder.name!r}"
        assert (folder / f"_{folder.name}__models.yml").exists(), f"{folder}: no _{folder.name}__models.yml"


def test_every_seed_is_described_and_tested():
    seeds = {p.stem for p in (PROJECT / "seeds" / "reference").glob("*.csv")}
    described = {}
    for y in (PROJECT / "seeds" / "reference").glob("*.yml"):
        described.update({s["name"]: s for s in _yml(y).get("seeds", [])})
    assert seeds <= set(described), f"seeds without YAML: {sorted(seeds - set(described))}"
    for name in seeds:
        s = described[name]
        tests = [t for c in s.get("columns", []) for t in c.get("data_tests", [])] + s.get("data_tests", [])
        assert s.get("description") and tests, f"seed {name}: needs a description and at least one test"


def test_shared_columns_use_their_docs_block():
    """area_code (and the other docs blocks) are described once: every model and seed uses the block."""
    blocks = set(re.findall(r"\{% docs (\w+) %\}", (MODELS / "_shared__docs.md").read_text()))
    assert {"area_code", "area_name", "is_sample", "metric_id", "load_id", "source"} <= blocks
    own = []
    ymls = [*MODELS.rglob("_*__models.yml"), *(PROJECT / "seeds" / "reference").glob("*.yml")]
    for y in ymls:
        for key in ("models", "seeds"):
            for node in _yml(y).get(key, []) or []:
                for col in node.get("columns", []) or []:
                    if col["name"] == "area_code" and "doc('area_code')" not in (col.get("description") or ""):
                        own.append(f"{y.name}: {node['name']}.area_code")
    assert not own, "describe area_code with {{ doc('area_code') }}: " + ", ".join(own)


def test_special_category_marts_are_marked_at_folder_level():
    project = _yml(DBT / "dbt_project.yml")["models"]["pcp_warehouse"]
    for layer in ("intermediate", "marts"):
        for domain in SPECIAL_CATEGORY:
            cfg = project[layer][domain]
            assert cfg["+meta"] == {"sensitivity": "special_category"}, (layer, domain)
            assert "special_category" in cfg["+tags"], (layer, domain)
        others = [d for d, cfg in project[layer].items() if not d.startswith("+") and d not in SPECIAL_CATEGORY]
        assert others and all("+meta" not in project[layer][d] for d in others)


# --- one rule, one place -----------------------------------------------------------------------

# rule -> (its macro in rates.sql, a pattern that restates it)
RESTATED = {
    "per 100,000 residents": ("per_100k", re.compile(r"100000|100_000|1e5")),
    "a percentage of two counts": ("pct", re.compile(r"\b100(\.0)?\s*\*")),
    "justice outcomes": ("justice_outcomes", re.compile(r"outcome_charge_summons\s*\+\s*outcome_out_of_court")),
    "the units compared per 100k": ("per_100k_applies", re.compile(r"in \('FTE', 'headcount'")),
    "the population age limit": ("population_max_age", re.compile(r"interval 2 year")),
    "the peer-group value": (
        "peer_group_value",
        re.compile(r"sum_numerator\s*/|sum_population\s*\*|sum_value\s*/|sum\(value\) filter"),
    ),
}


@pytest.mark.parametrize("rule", sorted(RESTATED))
def test_rule_is_written_once_in_the_rates_macro(rule):
    macro, pattern = RESTATED[rule]
    assert f"{{% macro {macro}(" in RATES_MACRO.read_text(), f"{rule}: no macro {macro} in {RATES_MACRO.name}"
    restated = []
    for f in _sql_files():
        if f == RATES_MACRO or (macro == "pct" and f.name == "int_milestones__progress.sql"):
            continue  # progress towards a target is a percentage of the way, not a ratio of two counts
        text = f.read_text()
        restated += [f"{f.relative_to(DBT)}:{text[: m.start()].count(chr(10)) + 1}" for m in pattern.finditer(text)]
    assert not restated, f"{rule} restated (use {macro}() in {RATES_MACRO.name}): {', '.join(restated)}"


def test_percentages_agree_with_their_numerator_and_denominator(published):
    bad = published.execute("""
        select metric_id, area_code, period_end, value, numerator, denominator from marts.metric_values
        where unit = 'percent' and (numerator is null or denominator is null
              or abs(value - 100.0 * numerator / denominator) > 1e-9 * greatest(1, abs(value)))
    """).fetchall()
    n = published.execute("select count(*) from marts.metric_values where unit = 'percent'").fetchone()[0]
    assert n > 0 and not bad, bad[:5]


def test_rates_per_100k_agree_with_count_and_population(published):
    bad = published.execute("""
        select metric_id, area_code, period_end, value, numerator, denominator from marts.metric_values
        where unit = 'per 100k' and (numerator is null or denominator is null
              or abs(value - numerator * 100000.0 / denominator) > 1e-9 * greatest(1, abs(value)))
    """).fetchall()
    ids = {
        r[0]
        for r in published.execute(
            "select distinct metric_id from marts.metric_values where unit = 'per 100k'"
        ).fetchall()
    }
    assert {"officers_per_100k", "hate_crimes_per_100k", "da_crimes_per_100k"} <= ids and not bad, bad[:5]


def test_milestone_comparisons_agree_with_metric_comparisons(published):
    """The peer and England and Wales figures of a milestone are the comparison mart's for that figure."""
    rows = published.execute("""
        select p.milestone_id, p.latest_date, p.peer_group_value, c.peer_group_value,
               p.england_wales_value, c.england_wales_value, p.latest_value_per_100k, c.value_compared,
               p.comparison_basis, c.comparison_basis
        from marts.milestone_progress as p
        inner join marts.metric_comparisons as c
            on c.metric_id = p.metric_id and c.area_code = p.area_code
           and c.period_type = p.period_type and c.period_end = p.latest_date
        where p.reporting_date is not null
    """).fetchall()
    assert len(rows) > 20
    for r in rows:
        assert r[2] == r[3] and r[4] == r[5], r
        assert r[6] is None or r[6] == r[7], r


# --- the population rule: one place chooses the population of a figure per 100,000 residents ----

POPULATION_MODEL = MODELS / "intermediate" / "population" / "int_population__for_period.sql"
# a population chosen by a date or year condition of its own: an as-of join, a comparison of a
# mid-year or population date, or the age limit outside the rule's macro
CHOOSES_A_POPULATION = re.compile(
    r"asof\b[^;]*population|mid_year\s*(<=|>=|<|>|=)|population_date\s*(<=|>=|<|>)|population_max_age\(\)"
)


def test_only_the_population_model_chooses_a_population():
    """Every figure per 100,000 residents takes its population from the rule (macro
    population_by_financial_year: int_population__for_period, and the comparison marts over the
    population figures of metric_values), joined on financial_year = financial_year_of(period_end)."""
    assert "{{ population_by_financial_year(" in POPULATION_MODEL.read_text()
    bad = []
    for f in _sql_files():
        if f == RATES_MACRO:
            continue
        text = re.sub(r"--[^\n]*|\{#.*?#\}", "", f.read_text(), flags=re.S)  # code, not comments
        name = f.relative_to(DBT)
        if "ref('int_population__pfa_year')" in text and f != POPULATION_MODEL:
            bad.append(f"{name}: reads int_population__pfa_year (use int_population__for_period)")
        bad += [f"{name}: chooses a population ({m.group(0)[:40]!r})" for m in CHOOSES_A_POPULATION.finditer(text)]
        uses = text.count("ref('int_population__for_period')") + text.count("population_by_financial_year(")
        joins = len(re.findall(r"financial_year = \{\{ financial_year_of\(", text))
        if uses and f != POPULATION_MODEL and joins < 1:
            bad.append(f"{name}: joins the population on something else than financial_year_of(period_end)")
    assert not bad, "\n".join(bad)


def _fy(d):
    """The April-March financial year containing d, as the year it starts in (Python, independent of SQL)."""
    return d.year if d.month >= 4 else d.year - 1


def _rule_population(store):
    """(area, date) -> (population, mid-year) by the rule, from the estimates themselves: the ONS LAD
    sums by force area and The Justice Pipeline's mid-2024 force populations (England and Wales = 43)."""
    est = {
        (a, y): p
        for a, y, p in store.execute(
            "select area_code, mid_year, population from intermediate.int_population__pfa_year"
        ).fetchall()
    }
    jp = store.execute(
        "select area_code, year(population_date), population from staging.stg_justice_pipeline__force_indicators"
    ).fetchall()
    est.update({(a, y): p for a, y, p in jp})
    if len({a for a, _, _ in jp}) == 43:
        est[("K04000001", jp[0][1])] = sum(p for _, _, p in jp)

    def population(area, d):
        for y in (_fy(d), _fy(d) - 1, _fy(d) - 2):
            if (area, y) in est:
                return est[(area, y)], y
        return None, None

    return population


def test_figures_per_100k_use_the_population_of_their_financial_year(pipeline_store):
    """Read from the working file: the rule's population model is intermediate, which the analysts' file
    does not hold."""
    import datetime as dt

    population = _rule_population(pipeline_store)
    # every rate in metric_values is divided by the rule's population
    rows = pipeline_store.execute(
        "select metric_id, area_code, period_end, denominator from marts.metric_values where unit = 'per 100k'"
    ).fetchall()
    bad = [r for r in rows if population(r[1], r[2])[0] != r[3]]
    assert len(rows) > 1000 and not bad, bad[:5]
    # and every workforce snapshot with a population under the rule has its rate
    have = {(m.replace("_per_100k", "_fte"), a, d) for m, a, d, _ in rows}
    missing = [
        r
        for r in pipeline_store.execute(
            "select metric_id, area_code, period_end from marts.metric_values "
            "where metric_id in ('officers_fte', 'pcsos_fte')"
        ).fetchall()
        if population(r[1], r[2])[0] is not None and r not in have
    ]
    assert not missing, missing[:5]
    # the comparisons: the same population and the mid-year it is from
    rows = pipeline_store.execute(
        "select metric_id, area_code, period_end, population, year(population_date) from marts.metric_comparisons"
    ).fetchall()
    bad = [r for r in rows if population(r[1], r[2]) != (r[3], r[4])]
    assert not bad, bad[:5]
    # a few by hand: 31 March ends its financial year; a gap of more than 2 years gives no figure
    assert population("E23000029", dt.date(2019, 3, 31))[1] == 2018
    assert population("E23000029", dt.date(2019, 4, 30))[1] == 2019
    assert population("E23000029", dt.date(2023, 3, 31))[1] == 2020
    assert population("E23000029", dt.date(2024, 3, 31)) == (None, None)
    assert population("E23000029", dt.date(2026, 3, 31))[1] == 2024
    tv = dict(
        pipeline_store.execute(
            "select period_end, denominator from marts.metric_values "
            "where metric_id = 'da_crimes_per_100k' and area_code = 'E23000029'"
        ).fetchall()
    )
    assert (
        dt.date(2024, 3, 31) not in tv and tv[dt.date(2023, 3, 31)] == population("E23000029", dt.date(2023, 3, 31))[0]
    )
