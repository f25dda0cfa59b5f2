-- Calls by force, day and load (SAMPLE): the few rows the completeness check (days of a month with
-- no calls) and per-figure lineage (rows per force, month and load) read, instead of scanning the
-- whole call log on every build. Incremental like int_contact__calls_monthly: a build recounts only
-- the force-months whose winning load changed, reading only those loads' rows.
{{ config(materialized='incremental', unique_key=['area_code', 'period_end'],
          incremental_strategy='delete+insert', on_schema_change='fail') }}

select
    c.area_code,
    c.period_end,
    c.received_at::date                      as day,
    c.load_id,
    w.load_id                                as month_load_id,
    count(*)                                 as calls
{{ from_changed_call_months(counted_from='month_load_id') }}
group by all
