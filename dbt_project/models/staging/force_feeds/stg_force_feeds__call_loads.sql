-- The call log's per-load index: one row per accepted load, vintage, force and month with its
-- accepted rows. Incremental: a build adds only loads accepted since the last one (a load's
-- accepted rows never change once the gate has decided), reading only their rows from raw. The
-- winning load per force and month is ranked on these few rows, not on every call.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

{%- set calls = source('force_feeds', 'calls') %}
{%- set new_loads = none %}
{%- if is_incremental() and execute %}
    {%- set new_loads = run_query(
        "select load_id from " ~ source('meta', 'loads') ~ " where status = 'accepted' and source_table = '"
        ~ calls.identifier ~ "' and load_id not in (select load_id from " ~ this ~ ") order by 1"
    ).columns[0].values() | list %}
{%- endif %}

{{ accepted_groups(calls, partition_by=call_log_months(), load_ids=new_loads) }}
