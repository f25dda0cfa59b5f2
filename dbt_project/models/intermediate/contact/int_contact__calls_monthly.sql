-- 101 and 999 calls by force and month (SAMPLE), with the load they were counted from. Incremental
-- (issue 9): a build recounts only the force-months whose winning load changed (a new month, or a
-- restated or late file that now wins), reading from raw only those loads' rows; every other
-- force-month keeps its row. `dbt build --full-refresh` recounts everything to the same figures.
{{ config(materialized='incremental', unique_key=['area_code', 'period_end'],
          incremental_strategy='delete+insert', on_schema_change='fail') }}

select
    c.area_code,
    c.period_end,
    w.load_id,
    count(*) filter (where c.line = '101')                                                 as calls_101_received,
    count(*) filter (where c.line = '101' and c.outcome = 'answered')                      as calls_101_answered,
    count(*) filter (where c.line = '101' and c.outcome = 'abandoned')                     as calls_101_abandoned,
    count(*) filter (where c.line = '101' and c.outcome = 'call_back')                     as calls_101_callbacks,
    count(*) filter (where c.line = '101' and c.wait_seconds <= c.answer_target_seconds)   as calls_101_answered_within_target,
    avg(c.wait_seconds) filter (where c.line = '101') / 60.0                               as calls_101_mean_wait_minutes,
    quantile_cont(c.wait_seconds, 0.9) filter (where c.line = '101') / 60.0                as calls_101_p90_wait_minutes,
    count(*) filter (where c.line = '999')                                                 as calls_999_received,
    count(*) filter (where c.line = '999' and c.wait_seconds <= 10)                        as calls_999_answered_within_10s,
    bool_or(c.is_sample)                                                                   as is_sample,
    '{{ invocation_id }}'                                                                  as dbt_invocation_id
{{ from_changed_call_months() }}
group by c.area_code, c.period_end, w.load_id
