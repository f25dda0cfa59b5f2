{#
  Append-only record of every milestone's status at each build: each `dbt build` (so each publish)
  adds one row per milestone, stamped with the build's start time. Never rewritten: incremental
  append, and full_refresh=false so even `dbt build --full-refresh` leaves earlier rows alone
  (columns added later, such as status, appear as new columns; earlier rows have them null).
#}
{{ config(materialized='incremental', incremental_strategy='append', full_refresh=false,
          on_schema_change='append_new_columns') }}

select
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as built_at,
    data_as_at,
    milestone_id,
    area_code,
    metric_id,
    reporting_date,
    latest_value,
    target_value,
    progress_pct,
    expected_value_now,
    rag_status,
    status,
    status_date,
    status_reason,
    is_stale,
    projected_date,
    is_sample
from {{ ref('milestone_progress') }}
where is_latest
