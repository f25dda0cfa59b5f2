{#
  The figures each milestone's status is judged on, per milestone and reporting date (each period with
  data after the baseline; one row with reporting_date null for a milestone with no data): progress
  against the straight line from baseline to target, the recent trend's projection, the process
  (variation and the recent limits, from int_milestones__spc) and the figure at the deadline.
#}
with register as (
    select * from {{ ref('int_milestones__register') }}
),

spc as (
    select * from {{ ref('int_milestones__spc') }}
),

-- The figure for the deadline: the period ending nearest it, within half a reporting interval.
deadline_obs as (
    select
        s.milestone_id,
        s.period_end                                                         as deadline_date,
        s.value                                                              as deadline_value,
        s.variation                                                          as deadline_variation
    from spc as s
    inner join register as r using (milestone_id)
    where r.target_date is not null
      and abs(date_diff('day', s.period_end, r.target_date)) <= s.cadence_days / 2
    qualify row_number() over (
        partition by s.milestone_id
        order by abs(date_diff('day', s.period_end, r.target_date)), s.period_end <= r.target_date desc
    ) = 1
),

-- The figures either side of the deadline, for the reason when none is near enough.
around_deadline as (
    select
        s.milestone_id,
        max(s.period_end) filter (where s.period_end <= r.target_date)        as last_before_deadline,
        arg_max(s.value, s.period_end) filter (where s.period_end <= r.target_date) as value_before_deadline,
        min(s.period_end) filter (where s.period_end > r.target_date)         as first_after_deadline,
        arg_min(s.value, s.period_end) filter (where s.period_end > r.target_date) as value_after_deadline
    from spc as s
    inner join register as r using (milestone_id)
    where r.target_date is not null
    group by all
),

-- Reporting dates: every figure after the baseline, plus the deadline itself once it has passed
-- (as at milestone_as_at) when no figure falls on it, carrying the last figure before it, so a pack
-- for any date after the deadline shows the deadline's verdict.
trend as (
    select * from {{ ref('int_milestones__trend') }}
),

deadline_rows as (
    select r.milestone_id, r.target_date as reporting_date
    from register as r
    inner join {{ ref('int_milestones__baselines') }} as b using (milestone_id)
    where r.measurable and r.target_date > b.baseline_date and r.target_date <= {{ milestone_as_at() }}
      and not exists (select 1 from trend as t
                      where t.milestone_id = r.milestone_id and t.reporting_date = r.target_date)
),

dated as (
    select t.*, t.reporting_date as figure_date from trend as t
    union all by name
    select t.* exclude (milestone_id, reporting_date), d.milestone_id, d.reporting_date, t.reporting_date as figure_date
    from deadline_rows as d
    asof left join trend as t on t.milestone_id = d.milestone_id and t.reporting_date <= d.reporting_date
),

rows_ as (
    select
        r.* exclude (period_type),   -- the series actually used is in b.period_type
        b.period_type,
        b.unit,
        b.baseline_date,
        b.baseline_value,
        b.target_value,
        coalesce(t.figure_date > b.baseline_date, false)            as has_data_after_baseline,
        coalesce(t.reporting_date, b.baseline_date)                 as reporting_date,
        coalesce(t.figure_date, b.baseline_date)                    as latest_date,
        coalesce(t.value, b.baseline_value)                         as latest_value,
        t.numerator                                                 as latest_numerator,
        t.denominator                                               as latest_denominator,
        t.source,
        t.segment,
        t.cadence_days,
        lead(t.reporting_date) over (partition by r.milestone_id order by t.reporting_date) as next_reporting_date,
        t.slope_per_day,
        t.trend_value,
        t.trend_points,
        t.trend_from,
        coalesce(t.any_sample_so_far, b.baseline_is_sample, false)  as is_sample,
        s.variation,
        s.signal,
        s.mean_at                                                   as process_mean,
        s.lower_limit_at                                            as process_lower_limit,
        s.upper_limit_at                                            as process_upper_limit,
        s.recent_lower_limit,
        s.recent_upper_limit,
        d.deadline_date,
        d.deadline_value,
        d.deadline_variation,
        a.last_before_deadline,
        a.value_before_deadline,
        a.first_after_deadline,
        a.value_after_deadline
    from register as r
    left join {{ ref('int_milestones__baselines') }} as b using (milestone_id)
    left join dated as t
        on t.milestone_id = r.milestone_id and t.reporting_date > b.baseline_date
    left join spc as s on s.milestone_id = t.milestone_id and s.period_end = t.figure_date
    left join deadline_obs as d on d.milestone_id = r.milestone_id
    left join around_deadline as a on a.milestone_id = r.milestone_id
),

measured as (
    select
        *,
        (target_value - latest_value) * direction_sign                      as gap_to_target,
        (target_value - latest_value) * direction_sign <= 0                 as target_reached,
        (target_value - baseline_value) * direction_sign <= 0               as met_at_baseline,
        (target_value - deadline_value) * direction_sign <= 0               as deadline_met,
        latest_value - baseline_value                                       as progress_numerator,
        target_value - baseline_value                                       as progress_denominator,
        case when (target_value - baseline_value) * direction_sign > 0
             then round(100 * (latest_value - baseline_value) / (target_value - baseline_value), 4)
        end                                                                 as progress_pct,
        case when (target_value - baseline_value) * direction_sign > 0
             then round(100 * (coalesce(trend_value, latest_value) - baseline_value) / (target_value - baseline_value), 4)
        end                                                                 as trend_progress_pct,
        case when target_value is not null and target_date > baseline_date
             then round(100 * least(1, greatest(0,
                      date_diff('day', baseline_date, latest_date) / date_diff('day', baseline_date, target_date))), 4)
        end                                                                 as expected_progress_pct,
        round(slope_per_day * 365.25, 6)                                    as trend_per_year,
        case when baseline_value <> 0
             then round(100 * slope_per_day * 365.25 * direction_sign / abs(baseline_value), 4)
        end                                                                 as trend_pct_per_year,
        -- assurance: where the target sits against the recent natural process limits
        case
            when target_value is null or recent_lower_limit is null then null
            when direction_sign > 0 and recent_lower_limit >= target_value then 'consistently met'
            when direction_sign < 0 and recent_upper_limit <= target_value then 'consistently met'
            when direction_sign > 0 and recent_upper_limit < target_value then 'consistently missed'
            when direction_sign < 0 and recent_lower_limit > target_value then 'consistently missed'
            else 'hit and miss'
        end                                                                 as assurance
    from rows_
),

first_met_after_deadline as (
    -- the first figure after the deadline that reaches the target (direction-only: that shows
    -- special-cause improvement)
    select r.milestone_id, min(s.period_end) as met_late_date
    from register as r
    inner join {{ ref('int_milestones__baselines') }} as b using (milestone_id)
    inner join spc as s on s.milestone_id = r.milestone_id and s.period_end > r.target_date
    where case when b.target_value is null then s.variation = 'special cause improving'
               else (b.target_value - s.value) * r.direction_sign <= 0 end
    group by all
)

select
    m.*,
    f.met_late_date,
    case
        when m.target_reached then m.latest_date
        when m.slope_per_day * m.direction_sign > 0
             and m.gap_to_target / (m.slope_per_day * m.direction_sign) < 36525
            then m.latest_date + cast(ceil(round(m.gap_to_target / (m.slope_per_day * m.direction_sign), 6)) as integer)
    end                                                                     as projected_date,
    m.baseline_value + (m.target_value - m.baseline_value) * m.expected_progress_pct / 100 as expected_value_now,
    m.target_value is not null and m.target_date is not null               as has_dated_target
from measured as m
left join first_met_after_deadline as f using (milestone_id)
