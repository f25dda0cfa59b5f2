-- Calls by force, day and load (SAMPLE): the few rows the completeness check (days of a month with
-- no calls) and per-figure lineage (rows per force, month and load) read, instead of scanning the
-- whole call log on every build. Incremental like int_contact__calls_monthly: a build recounts only
-- the force-months whose winning load changed, reading only those loads' rows.
{{ config(materialized='incremental', unique_key=['area_code', 'period_end'],
          incremental_strategy='delete+insert', on_schema_change='fail') }}

{%- set changed = call_log_changed_months(counted_from='month_load_id') %}
{%- set load_ids = call_log_changed_loads(changed) %}

with changed as (
    {{ changed }}
)

select
    c.area_code,
    c.period_end,
    c.received_at::date                      as day,
    c.load_id,
    w.load_id                                as month_load_id,
    count(*)                                 as calls
from {{ ref('stg_force_feeds__calls') }} as c
inner join changed as w
    on w.area_code = c.area_code and w.period_end = c.period_end and list_contains(w.load_ids, c.load_id)
{%- if load_ids is not none %}
where c.load_id in ({{ load_id_list(load_ids) }})
{%- endif %}
group by all
