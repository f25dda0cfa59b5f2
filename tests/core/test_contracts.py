"""The typed source contracts (warehouse/core/contracts.py): unknown keys refused, every key documented,
and the domain registry read from the contracts (no hand-kept list of domains)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from conftest import PROJECT
from warehouse.core import contracts
from warehouse.orchestrate import tasks

STAGING = Path("dbt_project/models/staging")

NEW_SOURCE = """version: 2
sources:
  - name: ambulance
    schema: raw
    tables:
      - name: handovers
        identifier: ambulance__handovers
        description: Ambulance handover waits by force area.
        config:
          meta:
            contract:
              domain: handovers
              publisher: NHS England
              title: Ambulance handover times
              url: https://example.invalid/handovers
              licence: Open Government Licence v3.0
              cadence: monthly
              ingest_schedule: {cron: '0 7 12 * *', why: 'monthly: NHS England, mid-month'}
              restatements: none
              grain: [month, area_code]
              period_column: month
              units: minutes
        columns:
          - name: month
            data_type: date
            description: First day of the month.
          - name: area_code
            data_type: varchar
            description: ONS police force area code.
            config: {meta: {reference: forces.area_code}}
"""


@pytest.fixture
def contracts_copy(tmp_path, monkeypatch) -> Path:
    """A project whose only files are the sources YAML (PCP_PROJECT_DIR), to add or break contracts in."""
    proj = tmp_path / "project"
    for f in (PROJECT / STAGING).glob("*/_*__sources.yml"):
        (proj / f.relative_to(PROJECT)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, proj / f.relative_to(PROJECT))
    monkeypatch.setenv("PCP_PROJECT_DIR", str(proj))
    return proj


def test_every_contract_reads_as_the_typed_model():
    cs = contracts.all_contracts()
    assert len(cs) >= 19
    for c in cs.values():
        assert isinstance(c.spec, contracts.ContractSpec) and c.spec.domain == c.meta["domain"]
        assert all(isinstance(col.spec, contracts.ColumnSpec) for col in c.columns)
    wf = cs["home_office__workforce_open_data"]
    assert wf.period_column == "date" and wf.grain[0] == "date"
    assert wf.checks["distinct_per_period"] == {"column": "geo_code", "equals": 43}


@pytest.mark.parametrize(
    "where, line, key",
    [
        ("column", "            config: {meta: {min: 2003-03-01, max_today: true, day_of_month: 1}}\n", "day_of_month"),
        ("table", "              period_colum: date\n", "period_colum"),
    ],
)
def test_an_unknown_key_is_refused_naming_file_table_and_key(contracts_copy, where, line, key):
    yml = contracts_copy / STAGING / "home_office/_home_office__sources.yml"
    text = yml.read_text()
    anchor = (
        "            config: {meta: {min: 2003-03-01, max_today: true}}\n"
        if where == "column"
        else "              period_column: date\n"
    )
    assert anchor in text
    yml.write_text(text.replace(anchor, line if where == "column" else anchor + line, 1))
    with pytest.raises(contracts.ContractSpecError) as e:
        contracts.all_contracts()
    msg = str(e.value)
    assert "_home_office__sources.yml" in msg and "'workforce_open_data'" in msg
    assert f"unknown key {key!r}" in msg
    assert ("column 'date'" in msg) == (where == "column")


def test_a_wrong_type_is_refused_with_found_value(contracts_copy):
    yml = contracts_copy / STAGING / "ons/_ons__sources.yml"
    yml.write_text(
        yml.read_text().replace(
            "              period_column: year\n",
            "              period_column: year\n              is_sample: perhaps\n",
            1,
        )
    )
    with pytest.raises(contracts.ContractSpecError, match=r"_ons__sources.yml.*is_sample.*found 'perhaps'"):
        contracts.all_contracts()


def test_every_key_is_documented_and_docs_are_generated_from_the_model():
    for model in (
        contracts.ContractSpec,
        contracts.ColumnSpec,
        contracts.Checks,
        contracts.DistinctPerPeriod,
        contracts.Partition,
        contracts.BundledFile,
        contracts.IngestSchedule,
    ):
        assert model.__doc__
        for key, f in model.model_fields.items():
            assert f.description and len(f.description) > 10, f"{model.__name__}.{key} has no description"
    doc = (PROJECT / "docs/contracts.md").read_text()
    assert doc == contracts.reference_markdown(), (
        "docs/contracts.md is stale: run `.venv/bin/python -m warehouse.core.contracts > docs/contracts.md`"
    )
    for key in contracts.ContractSpec.model_fields:
        assert f"| `{key}` |" in doc


def test_every_key_in_the_project_contracts_is_one_some_code_reads():
    """The model lists only what code reads: each key's name appears outside warehouse/core/contracts.py."""
    code = "\n".join(p.read_text() for p in (PROJECT / "warehouse").rglob("*.py") if p.name != "contracts.py")
    code += (PROJECT / "dbt_project/macros/accepted_rows.sql").read_text()
    for model in (contracts.ContractSpec, contracts.ColumnSpec):
        for key in model.model_fields:
            if key in {
                "publisher",
                "title",
                "url",
                "licence",
                "cadence",
                "restatements",
                "units",
                "domain",
                "grain",
                "files",
                "checks",
                "is_sample",
                "period_column",
                "ingest_schedule",
                "nullable",
            }:
                continue  # read through the typed properties or by contracts.domains()
            assert f'"{key}"' in code or f"'{key}'" in code, f"no code reads contract key {key!r}"


def test_domain_registry_is_the_contracts_domains():
    reg = tasks.domains()
    assert set(reg) == {c.domain for c in contracts.all_contracts().values()}
    assert reg["workforce"].cron == "0 6 15 1,7 *"
    assert "home_office__workforce_open_data" in reg["workforce"].tables


def test_a_new_contract_file_adds_its_domain_and_ingest_dag_without_code_edits(contracts_copy, tmp_path, monkeypatch):
    before = set(tasks.domains())
    new = contracts_copy / STAGING / "ambulance/_ambulance__sources.yml"
    new.parent.mkdir(parents=True)
    new.write_text(NEW_SOURCE)
    reg = tasks.domains()
    assert set(reg) == before | {"handovers"}
    assert reg["handovers"].cron == "0 7 12 * *" and reg["handovers"].tables == ("ambulance__handovers",)

    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    spec = importlib.util.spec_from_file_location("pcp_ingest_dags_test", PROJECT / "dags/ingest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    sys.modules.pop("pcp_ingest_dags_test", None)
    dag = mod.ingest_handovers
    assert dag.dag_id == "ingest_handovers" and "monthly: NHS England" in dag.doc_md


def test_a_domain_without_a_schedule_is_refused_naming_it(contracts_copy):
    new = contracts_copy / STAGING / "ambulance/_ambulance__sources.yml"
    new.parent.mkdir(parents=True)
    new.write_text(
        NEW_SOURCE.replace(
            "              ingest_schedule: {cron: '0 7 12 * *', why: 'monthly: NHS England, mid-month'}\n", ""
        )
    )
    with pytest.raises(contracts.ContractSpecError, match=r"domain 'handovers'.*ingest_schedule.*ambulance__handovers"):
        contracts.domains()


def test_staging_models_read_period_column_from_the_contract_not_restate_it():
    """accepted_rows / accepted_groups take the period column from the source contract (macro
    contract_period_column); a model passing it again could disagree with the gate's."""
    import re

    calls = []
    for f in (PROJECT / "dbt_project/models").rglob("*.sql"):
        for m in re.finditer(r"accepted_(?:rows|groups)\(([^()]*\([^()]*\)|\w+)\s*,\s*(['\"])", f.read_text()):
            calls.append(f"{f.name}: {m.group(0)}")
    assert calls == [], calls
    macro = (PROJECT / "dbt_project/macros/accepted_rows.sql").read_text()
    assert "contract.get('period_column')" in macro
    used = [f for f in (PROJECT / "dbt_project/models").rglob("*.sql") if "accepted_rows(" in f.read_text()]
    assert len(used) >= 18


def test_the_airflow_doc_lists_exactly_the_registry_domains():
    """docs/airflow.md names the ingest DAGs' domains; it must match the contracts, not a memory of them."""
    import re

    doc = (PROJECT / "docs/airflow.md").read_text()
    m = re.search(r"\| `ingest_<domain>` \(([^)]*)\)", doc)
    assert m, "docs/airflow.md lost its ingest_<domain> row"
    assert sorted(d.strip() for d in m.group(1).split(",")) == sorted(tasks.domains())
