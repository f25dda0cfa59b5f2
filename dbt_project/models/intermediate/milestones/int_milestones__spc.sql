{#
  Statistical process control (XmR chart; Wheeler, "Understanding Variation"; NHS England "Making
  Data Count") for every point of every judged series, one row per milestone and period.

  Baseline period of a segment: its last milestone_spc_baseline_points points on or before the
  milestone's baseline date when it has at least milestone_spc_min_points of them (the process before
  the commitment), else its first milestone_spc_baseline_points points. Mean and natural process
  limits (mean +/- 2.66 x mean moving range) come from the baseline points; no limits with fewer than
  milestone_spc_min_points baseline points.

  Everything suffixed _at is as known when the point arrived (baseline points up to it; the signal of
  a point never uses later points), so a status at any reporting date is true as at that date.
  Special-cause rules, on each point after the baseline period (runs, trends and two-of-three count
  only points after it: the question is whether the process has changed since the baseline):
    beyond limit      the point is outside the natural process limits
    two of three      it and one of the two before it are beyond 2 sigma (2/3 of the way to a limit)
                      on the same side of the mean
    run               it ends a run of milestone_spc_run_points or more on one side of the mean
    trend             it ends milestone_spc_trend_points or more points each above (below) the last
  Improving or concerning by the milestone's direction. The variation verdict at a point is the
  direction of the latest signal within the last milestone_spc_run_points points. Also the recent process (last
  milestone_spc_baseline_points points of the segment), whose limits the assurance verdict compares
  with the target.
#}
{% set n_base = var('milestone_spc_baseline_points') | int %}
{% set n_min = var('milestone_spc_min_points') | int %}
{% set n_run = var('milestone_spc_run_points') | int %}
{% set n_trend = var('milestone_spc_trend_points') | int %}

with s as (
    select s.*, b.baseline_date, r.direction_sign
    from {{ ref('int_milestones__series') }} as s
    inner join {{ ref('int_milestones__baselines') }} as b using (milestone_id)
    inner join {{ ref('int_milestones__register') }} as r using (milestone_id)
),

positioned as (
    select
        *,
        row_number() over seg_order                                          as seg_pos,
        count(*) filter (where period_end <= baseline_date) over seg_all     as seg_points_to_baseline,
        abs(value - lag(value) over seg_order)                               as moving_range,
        sign(value - lag(value) over seg_order)                              as step
    from s
    window seg_order as (partition by milestone_id, segment order by period_end),
           seg_all as (partition by milestone_id, segment)
),

baselined as (
    select
        *,
        case when seg_points_to_baseline >= {{ n_min }}
             then seg_pos between seg_points_to_baseline - {{ n_base - 1 }} and seg_points_to_baseline
             else seg_pos <= {{ n_base }}
        end                                                                  as in_baseline
    from positioned
),

stats as (
    select
        *,
        -- a moving range belongs to the baseline when both its points do
        moving_range * case when in_baseline and lag(in_baseline) over seg_order then 1 end as baseline_mr,
        count(*) filter (where in_baseline) over seg_cum                     as base_n_at,
        avg(value) filter (where in_baseline) over seg_cum                   as base_mean_at,
        count(*) filter (where in_baseline) over seg_all                     as base_n,
        avg(value) filter (where in_baseline) over seg_all                   as base_mean,
        count(*) over seg_recent                                             as recent_n,
        avg(value) over seg_recent                                           as recent_mean,
        avg(moving_range) over seg_recent_mr                                 as recent_mean_mr
    from baselined
    window seg_order as (partition by milestone_id, segment order by period_end),
           seg_cum as (partition by milestone_id, segment order by period_end
                       rows between unbounded preceding and current row),
           seg_all as (partition by milestone_id, segment),
           seg_recent as (partition by milestone_id, segment order by period_end
                          rows between {{ n_base - 1 }} preceding and current row),
           seg_recent_mr as (partition by milestone_id, segment order by period_end
                             rows between {{ n_base - 2 }} preceding and current row)
),

limits as (
    select
        * exclude (base_mean_at, base_mean, recent_mean, recent_mean_mr),
        case when base_n_at >= {{ n_min }} then base_mean_at end            as mean_at,
        case when base_n_at >= {{ n_min }} then avg(baseline_mr) over seg_cum end as mean_mr_at,
        case when base_n >= {{ n_min }} then base_mean end                  as mean,
        case when base_n >= {{ n_min }} then avg(baseline_mr) over seg_all end as mean_mr,
        case when recent_n >= {{ n_min }} then recent_mean end              as recent_mean,
        case when recent_n >= {{ n_min }} then recent_mean_mr end           as recent_mean_mr
    from stats
    window seg_cum as (partition by milestone_id, segment order by period_end
                       rows between unbounded preceding and current row),
           seg_all as (partition by milestone_id, segment)
),

sided as (
    select
        *,
        mean_at - 2.66 * mean_mr_at                                          as lower_limit_at,
        mean_at + 2.66 * mean_mr_at                                          as upper_limit_at,
        case when value > mean_at + 2.66 * mean_mr_at then 1
             when value < mean_at - 2.66 * mean_mr_at then -1 else 0 end     as beyond,
        -- 2 sigma = 2/3 of the 3-sigma distance 2.66 x mean moving range
        case when value > mean_at + 2.66 * mean_mr_at * 2 / 3 then 1
             when value < mean_at - 2.66 * mean_mr_at * 2 / 3 then -1 else 0 end as near,
        sign(value - mean_at)                                                as side
    from limits
),

grouped as (
    select
        *,
        sum(case when side is distinct from prev_side then 1 else 0 end) over phase_cum as side_group,
        sum(case when step is distinct from prev_step then 1 else 0 end) over phase_cum as step_group
    from (
        select
            *,
            lag(side) over phase_order  as prev_side,
            lag(step) over phase_order  as prev_step,
            lag(near, 1) over phase_order as near_1,
            lag(near, 2) over phase_order as near_2
        from sided
        -- runs, trends and two-of-three never reach back into the baseline period
        window phase_order as (partition by milestone_id, segment, in_baseline order by period_end)
    )
    window phase_cum as (partition by milestone_id, segment, in_baseline order by period_end
                         rows between unbounded preceding and current row)
),

runs as (
    select
        *,
        case when side <> 0 then row_number() over (partition by milestone_id, segment, in_baseline, side_group order by period_end) end as run_points,
        -- a trend of k steps in one direction is k + 1 points
        case when step <> 0 then 1 + row_number() over (partition by milestone_id, segment, in_baseline, step_group order by period_end) end as trend_points
    from grouped
),

signalled as (
    select
        *,
        case
            when in_baseline then null
            when beyond <> 0 then beyond
            when near <> 0 and (near_1 = near or near_2 = near) then near
            when run_points >= {{ n_run }} then side
            when trend_points >= {{ n_trend }} then step
        end                                                                  as signal_side,
        case
            when in_baseline then null
            when beyond > 0 then 'beyond upper limit'
            when beyond < 0 then 'beyond lower limit'
            when near <> 0 and (near_1 = near or near_2 = near) then 'two of three near ' || case when near > 0 then 'upper' else 'lower' end || ' limit'
            when run_points >= {{ n_run }} then printf('run of %d %s mean', run_points, case when side > 0 then 'above' else 'below' end)
            when trend_points >= {{ n_trend }} then printf('trend of %d %s', trend_points, case when step > 0 then 'rising' else 'falling' end)
        end                                                                  as signal
    from runs
),

-- The verdict at a point: the direction of the latest signal within the last run-length points,
-- so a real shift, once signalled, is not dropped the first month a point falls back (and a
-- series with no signal never changes).
recent_signal as (
    select
        *,
        arg_max(signal_side, period_end) filter (where signal_side is not null and mean_at is not null) over (
            partition by milestone_id, segment order by period_end
            rows between {{ n_run - 1 }} preceding and current row
        )                                                                    as recent_signal_side
    from signalled
)

select
    milestone_id,
    metric_id,
    area_code,
    period_end,
    period_type,
    value,
    unit,
    is_sample,
    cadence_days,
    segment,
    in_baseline,
    baseline_date,
    mean,
    mean - 2.66 * mean_mr                                                     as lower_limit,
    mean + 2.66 * mean_mr                                                     as upper_limit,
    mean_at,
    lower_limit_at,
    upper_limit_at,
    case when mean_at is not null then signal end                            as signal,
    case when mean_at is null then null
         when recent_signal_side * direction_sign > 0 then 'special cause improving'
         when recent_signal_side * direction_sign < 0 then 'special cause concerning'
         else 'common cause'
    end                                                                       as variation,
    recent_n,
    recent_mean,
    recent_mean - 2.66 * recent_mean_mr                                       as recent_lower_limit,
    recent_mean + 2.66 * recent_mean_mr                                       as recent_upper_limit
from recent_signal
