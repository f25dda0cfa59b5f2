-- Home Office 999 call answer times per territorial force and month (real and SAMPLE contracts, one
-- shape), latest file per month. Forces without a police force area (Police Scotland, the PSNI,
-- British Transport Police) are left out; names map through reference.force_aliases.
with source as (
    {{ accepted_rows(source('home_office', 'answer_times_999')) }}
    union all by name
    {{ accepted_rows(source('home_office', 'answer_times_999_sample')) }}
)

select
    a.area_code,
    s.force                                                   as source_force_name,
    last_day(strptime(s.month || '-01', '%Y-%m-%d'))::date    as period_end,
    s.total_calls,
    s.mean_answer_seconds,
    s.answered_under_10s,
    s.answered_under_10s_pct,
    s.answered_10_to_60s,
    s.answered_10_to_60s_pct,
    s.answered_60s_or_more,
    s.answered_60s_or_more_pct,
    s._vintage                                                as vintage,
    s._load_id                                                as load_id,
    s._is_sample                                              as is_sample
from source as s
inner join {{ ref('force_aliases') }} as a on a.alias = s.force
where a.area_code is not null
