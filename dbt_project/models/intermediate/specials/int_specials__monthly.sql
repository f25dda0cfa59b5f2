-- Special Constabulary by force and month (SAMPLE): in post, joiners, leavers and duty hours.
-- FTE equivalent = operational hours / 173.33 (a 40-hour week: 40 x 52 / 12), the basis of Thames
-- Valley's "75 FTE equivalent delivering 13,000 operational hours per month".
select
    area_code,
    period_end,
    count(*)                                   as specials_in_post,
    count(*) filter (where joined_this_month)  as specials_joiners,
    count(*) filter (where left_this_month)    as specials_leavers,
    sum(operational_hours)                     as specials_operational_hours,
    sum(training_hours)                        as specials_training_hours,
    sum(admin_hours)                           as specials_admin_hours,
    sum(duty_hours)                            as specials_duty_hours,
    sum(operational_hours) / (40 * 52 / 12.0)  as specials_hours_fte,
    bool_or(is_sample)                         as is_sample
from {{ ref('stg_force_feeds__specials_monthly') }}
group by area_code, period_end
