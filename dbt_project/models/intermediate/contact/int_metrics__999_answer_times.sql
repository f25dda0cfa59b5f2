-- 999 answer-time metrics from the Home Office published shape (stg_home_office__999_answer_times),
-- forces by month and England and Wales where all 43 forces are in the month (macro
-- all_forces_present). Real rows feed calls_999_ho_*; SAMPLE rows the same ids + '_sample', so real
-- and sample data never share a metric id. Shares are recomputed from the counts (the published
-- percentages are kept in staging; pct() in metric_rows) so England and Wales is the share of the summed calls.
{%- set metrics = [
    ['calls_999_ho_received', 'total_calls', 'count', none, none],
    ['calls_999_ho_mean_answer_seconds', 'mean_answer_seconds', 'seconds', none, none],
    ['calls_999_ho_under_10s_pct', none, 'percent',
     'answered_under_10s', 'total_calls'],
    ['calls_999_ho_10_to_60s_pct', none, 'percent',
     'answered_10_to_60s', 'total_calls'],
    ['calls_999_ho_60s_or_more_pct', none, 'percent',
     'answered_60s_or_more', 'total_calls'],
] %}
with forces as (
    select area_code, period_end, total_calls, mean_answer_seconds, answered_under_10s,
           answered_10_to_60s, answered_60s_or_more, is_sample
    from {{ ref('stg_home_office__999_answer_times') }}
),

england_and_wales as (
    select 'K04000001' as area_code, period_end, sum(total_calls) as total_calls,
           sum(mean_answer_seconds * total_calls) / nullif(sum(total_calls), 0) as mean_answer_seconds,
           sum(answered_under_10s) as answered_under_10s, sum(answered_10_to_60s) as answered_10_to_60s,
           sum(answered_60s_or_more) as answered_60s_or_more, is_sample
    from forces
    group by period_end, is_sample
    having {{ all_forces_present() }}
),

by_area as (
    select * from forces union all by name select * from england_and_wales
)

select * replace (metric_id || case when is_sample then '_sample' else '' end as metric_id,
                  case when is_sample then 'SAMPLE data in the shape of ' || source else source end as source)
from (
    {{ metric_rows('by_area', metrics, 'Home Office, 999 call answer times by police force and month') }}
)
