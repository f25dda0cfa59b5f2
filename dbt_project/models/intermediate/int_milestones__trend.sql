-- Every period from a milestone's baseline on, with the recent trend as it stood then: a
-- least-squares line through the last `milestone_trend_periods` periods of the same segment (days
-- since the baseline on x; never across a gap, see int_milestones__series), so each reporting date
-- is judged only on what was known at that date.
with points as (
    select
        o.milestone_id,
        o.period_end,
        o.value,
        o.numerator,
        o.denominator,
        o.is_sample,
        o.source,
        o.segment,
        o.cadence_days,
        date_diff('day', b.baseline_date, o.period_end) as days_since_baseline
    from {{ ref('int_milestones__series') }} as o
    inner join {{ ref('int_milestones__baselines') }} as b using (milestone_id)
    where o.period_end >= b.baseline_date
)

select
    milestone_id,
    period_end                                              as reporting_date,
    value,
    numerator,
    denominator,
    source,
    segment,
    cadence_days,
    regr_slope(value, days_since_baseline) over recent      as slope_per_day,
    count(*) over recent                                    as trend_points,
    min(period_end) over recent                             as trend_from,
    bool_or(is_sample) over (
        partition by milestone_id order by period_end
        rows between unbounded preceding and current row
    )                                                       as any_sample_so_far
from points
window recent as (
    partition by milestone_id, segment order by period_end
    rows between {{ var('milestone_trend_periods') | int - 1 }} preceding and current row
)
