-- Baseline and target of each measurable milestone that has data.
-- Baseline: the register's value if it gives one; otherwise the figure for the latest period on or
-- before the planned baseline date, or, when the series starts later, its first period.
-- Target: absolute -> the register's value; relative_change / back_to_level -> baseline + change or
-- baseline x (1 + change %); direction_only -> none.
with register as (
    select * from {{ ref('int_milestones__register') }}
),

picked as (
    select
        o.milestone_id,
        o.period_end  as baseline_date,
        o.value       as baseline_value,
        o.is_sample   as baseline_is_sample,
        o.period_type,
        o.unit
    from {{ ref('int_milestones__observations') }} as o
    inner join register as r using (milestone_id)
    qualify row_number() over (
        partition by o.milestone_id
        order by coalesce(o.period_end > r.planned_baseline_date, false),
                 abs(date_diff('day', o.period_end, coalesce(r.planned_baseline_date, o.period_end))),
                 o.period_end
    ) = 1
)

select
    p.milestone_id,
    p.period_type,
    p.unit,
    case when r.register_baseline_value is not null then r.planned_baseline_date
         else p.baseline_date end                                  as baseline_date,
    coalesce(r.register_baseline_value, p.baseline_value)          as baseline_value,
    case when r.register_baseline_value is not null then false
         else p.baseline_is_sample end                             as baseline_is_sample,
    case when r.target_kind = 'direction_only' then null
         else coalesce(
             r.register_target_value,
             coalesce(r.register_baseline_value, p.baseline_value) + r.target_change,
             coalesce(r.register_baseline_value, p.baseline_value) * (1 + r.target_change_pct / 100)
         ) end                                                      as target_value
from picked as p
inner join register as r using (milestone_id)
