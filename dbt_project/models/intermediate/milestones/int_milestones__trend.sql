-- Every period from a milestone's baseline on, with the recent trend as it stood then: a
-- least-squares line through the last `milestone_trend_periods` periods of the same segment (for
-- monthly and quarterly series `milestone_trend_periods_monthly`, so one noisy month does not swing
-- the projection; days since the baseline on x; never across a gap, see int_milestones__series), so
-- each reporting date is judged only on what was known at that date.
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
    case when cadence_days <= 92 then regr_slope(value, days_since_baseline) over recent_monthly
         else regr_slope(value, days_since_baseline) over recent end as slope_per_day,
    -- the trend line's value at this period: judged instead of the single figure, so noise does not
    -- flip a status (equal to the figure with fewer than 3 points)
    case when cadence_days <= 92 and count(*) over recent_monthly >= 3
             then regr_intercept(value, days_since_baseline) over recent_monthly
                  + regr_slope(value, days_since_baseline) over recent_monthly * days_since_baseline
         when cadence_days > 92 and count(*) over recent >= 3
             then regr_intercept(value, days_since_baseline) over recent
                  + regr_slope(value, days_since_baseline) over recent * days_since_baseline
         else value end                                     as trend_value,
    case when cadence_days <= 92 then count(*) over recent_monthly
         else count(*) over recent end                      as trend_points,
    case when cadence_days <= 92 then min(period_end) over recent_monthly
         else min(period_end) over recent end               as trend_from,
    bool_or(is_sample) over (
        partition by milestone_id order by period_end
        rows between unbounded preceding and current row
    )                                                       as any_sample_so_far
from points
window recent as (
    partition by milestone_id, segment order by period_end
    rows between {{ var('milestone_trend_periods') | int - 1 }} preceding and current row
), recent_monthly as (
    partition by milestone_id, segment order by period_end
    rows between {{ var('milestone_trend_periods_monthly') | int - 1 }} preceding and current row
)
