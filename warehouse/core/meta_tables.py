"""Every ``meta.*`` table the pipeline writes, defined once (DuckDB DDL, idempotent: ``create ... if
not exists`` and ``add column if not exists``, so running one on an older file upgrades it).

Each stage executes the definitions it writes when it first writes (a table's absence still means
"never happened", e.g. no ``meta.publications`` = never published); ``core/db.writer()`` creates
LOADS, QUARANTINE and PARTITIONS on every open.
"""

from __future__ import annotations

# every load: one row per file, its checksum, status and resolution (core/db.py opens with it)
LOADS = """
create schema if not exists raw;
create schema if not exists meta;
create sequence if not exists meta.load_seq start 1;
create table if not exists meta.loads (
    load_id      bigint primary key,
    source_table varchar not null,
    source_file  varchar not null,
    sha256       varchar not null,
    vintage      date,
    is_sample    boolean not null,
    rows_read    bigint,
    status       varchar not null,    -- pending | accepted | rejected
    message      varchar,
    loaded_at    timestamp not null,
    validated_at timestamp
);
alter table meta.loads add column if not exists rows_quarantined bigint default 0;
-- where the file was and its size and mtime when hashed: the same three again reuse its sha256 (load.py)
alter table meta.loads add column if not exists source_path varchar;
alter table meta.loads add column if not exists file_bytes bigint;
alter table meta.loads add column if not exists file_mtime_ns bigint;
-- ctime too: a copy with size and mtime kept (cp -p, rsync --inplace -t) still changes it (load.py)
alter table meta.loads add column if not exists file_ctime_ns bigint;
-- a rejected load is held until resolved: retry | dropped (warehouse/orchestrate/held.py, `pcp resolve`)
alter table meta.loads add column if not exists resolution varchar;
alter table meta.loads add column if not exists resolved_at timestamp;
"""

# rows set aside by the gate (gate/quarantine.py)
QUARANTINE = """
create table if not exists meta.quarantine (
    load_id        bigint not null,
    source_table   varchar not null,
    file           varchar not null,
    row_number     bigint not null,   -- data row in the file, 1 = first row under the header
    column_name    varchar,
    value          varchar,           -- what was found, as text
    reason         varchar not null,  -- which check failed and what was expected
    quarantined_at timestamp not null default (now()::timestamp)
);
"""

# declared force/month partitions, arrivals of part files, restatements (ingest/partitions.py)
PARTITIONS = """
create table if not exists meta.load_partitions (
    load_id      bigint not null,
    source_table varchar not null,
    source_file  varchar not null,
    area_code    varchar not null,
    month        date not null,      -- first day of the declared month
    part         integer             -- the _partN number, null for a whole file
);
create table if not exists meta.load_arrivals (
    load_id         bigint not null,  -- a part file's load
    arrival_load_id bigint not null   -- the first load of its arrival: staging ranks the parts as one
);
create table if not exists meta.restatements (
    load_id          bigint not null,  -- the restating load
    source_table     varchar not null,
    source_file      varchar not null,
    area_code        varchar not null,
    month            date not null,
    replaces_load_id bigint not null,
    replaces_file    varchar not null,
    recorded_at      timestamp not null
);
"""

# publishers' missing-value markers found per load and column (gate/missing_values.py)
MISSING_VALUES = """
create table if not exists meta.missing_values (
    load_id     bigint not null,
    column_name varchar not null,
    marker      varchar not null,
    rows        bigint not null,
    first_rows  varchar not null    -- up to five data row numbers, 1 = first row under the header
);
"""

# what the models in the working file were built from, and whether that build finished (transform/rebuild.py)
DBT_STATE = """
create table if not exists meta.dbt_state (
    code_fingerprint varchar,      -- code + reference data the models in this file were built from
    clean            boolean not null,  -- false from the moment a dbt build starts until it is recorded
    updated_at       timestamp not null
);
"""

# incomplete or disproportionate periods accepted into a version (publish/completeness.py)
HOLDS = """
create table if not exists meta.holds (
    version     varchar not null,
    source      varchar not null,
    area_code   varchar not null,
    period_end  date not null,
    reason      varchar not null,
    accepted_by varchar not null,
    recorded_at timestamp not null
);
"""

# big moves accepted into a version (publish/audit.py)
MOVEMENTS = """
create table if not exists meta.movements (
    version      varchar not null,   -- the publication that carried the move
    metric_id    varchar not null,
    area_code    varchar not null,
    period_end   date not null,
    period_type  varchar,
    old_value    double,
    new_value    double,             -- null: the figure was withdrawn
    change_pct   double,
    limit_pct    double,
    accepted_by  varchar not null,   -- how it was acknowledged
    recorded_at  timestamp not null
);
"""

# one row per published version: what it was built from (publish/versions.py)
PUBLICATIONS = """
create table if not exists meta.publications (
    version      varchar primary key,
    published_at timestamp not null,
    fingerprint  varchar not null,
    code_version varchar,
    loads        varchar,   -- JSON: accepted load ids, files and sha256 the version was built from
    dbt          varchar    -- JSON: dbt build summary
);
alter table meta.publications add column if not exists validations varchar;  -- JSON: gate result per load
alter table meta.publications add column if not exists audit varchar;        -- JSON: reconciliations, moves
alter table meta.publications add column if not exists lineage varchar;      -- JSON: dbt node -> parents
alter table meta.publications add column if not exists seq bigint;           -- order of versions (not the clock)
"""

# the gate's result per load and suite (gate/quality.py)
VALIDATIONS = """
create table if not exists meta.validations (load_id bigint, suite varchar, success boolean,
    failures varchar, validated_at timestamp);
"""

# rows per staging model, area, period and load, for `pcp lineage --period` in the analysts' file
# (publish/lineage.py; rebuilt each build: aggregates only, no person-level row)
FIGURE_LOADS = """
create or replace table meta.figure_loads (
    model     varchar not null,   -- staging model
    has_area  boolean not null,   -- the model has area_code (else: a national or lookup source)
    has_period boolean not null,  -- the model has period_end or month (else: a lookup)
    area_code varchar,
    period    date,               -- period_end, else month (an index model keyed by the month's first day)
    load_id   bigint not null,
    rows      bigint not null
);
"""

# which model feeding metric_values emits which metric (publish/lineage.py; rebuilt each build)
METRIC_MODELS = """
create or replace table meta.metric_models (model varchar not null, metric_id varchar not null);
"""
