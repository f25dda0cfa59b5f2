-- The figures each measurable milestone is judged on: its metric, its force, one period type.
-- When the register names no period type, the series with real (not sample) data wins, then the
-- one with the most periods: e.g. real annual hate crime beats sample monthly.
with register as (
    select milestone_id, metric_id, area_code, period_type
    from {{ ref('int_milestones__register') }}
    where measurable and metric_id is not null
),

mv as (
    select * from {{ ref('int_milestones__metric_values') }}
),

candidates as (
    select
        r.milestone_id,
        v.period_type,
        count(*)           as periods,
        bool_and(v.is_sample) as all_sample,
        max(v.period_end)  as last_period
    from register as r
    inner join mv as v
        on v.metric_id = r.metric_id
       and v.area_code = r.area_code
       and (r.period_type is null or v.period_type = r.period_type)
    group by all
),

chosen as (
    select milestone_id, period_type
    from candidates
    qualify row_number() over (
        partition by milestone_id order by all_sample, periods desc, last_period desc, period_type
    ) = 1
)

select
    r.milestone_id,
    v.metric_id,
    v.area_code,
    v.period_type,
    v.period_end,
    v.value,
    v.unit,
    v.numerator,
    v.denominator,
    v.is_sample,
    v.source
from chosen as c
inner join register as r using (milestone_id)
inner join mv as v
    on v.metric_id = r.metric_id
   and v.area_code = r.area_code
   and v.period_type = c.period_type
