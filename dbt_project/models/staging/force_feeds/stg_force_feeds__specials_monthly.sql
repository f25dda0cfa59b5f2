-- Special Constables' duty hours (SAMPLE): one row per Special per month, latest arrival per force
-- and month. The pseudonymised special_id stays in raw; counts need no id.
with source as (
    {{ accepted_rows(source('force_feeds', 'specials_monthly'), partition_by=["r.area_code", "r.month"], combine_parts=true) }}
)

select
    area_code,
    last_day(month)::date                                    as period_end,
    special_rank,
    joined_on,
    left_on,
    date_trunc('month', joined_on) = month                   as joined_this_month,
    coalesce(date_trunc('month', left_on) = month, false)    as left_this_month,
    operational_hours,
    training_hours,
    admin_hours,
    operational_hours + training_hours + admin_hours         as duty_hours,
    _vintage                                                 as vintage,
    _load_id                                                 as load_id,
    _is_sample                                               as is_sample
from source
