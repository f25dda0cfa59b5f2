{#
  The statistical process control chart of every milestone's judged series: one row per milestone and
  period (int_milestones__spc), with the target and the straight-line trajectory for the chart.
  segment: a new segment starts after a gap longer than the cadence allows (charts break lines there);
  mean and limits: natural process limits (mean +/- 2.66 x mean moving range) from the segment's
  baseline points (in_baseline); signal: the special-cause rule the point triggered when it arrived.
#}
select
    s.milestone_id,
    s.metric_id,
    s.area_code,
    s.period_end,
    s.period_type,
    s.value,
    s.unit,
    s.is_sample,
    s.segment,
    s.in_baseline,
    round(s.mean, 4)                                                          as mean,
    round(s.lower_limit, 4)                                                   as lower_limit,
    round(s.upper_limit, 4)                                                   as upper_limit,
    s.signal,
    s.variation,
    round(b.target_value, 4)                                                  as target_value,
    case when b.target_value is not null and r.target_date > b.baseline_date
              and s.period_end between b.baseline_date and r.target_date
         then round(b.baseline_value + (b.target_value - b.baseline_value)
                    * date_diff('day', b.baseline_date, s.period_end)
                    / date_diff('day', b.baseline_date, r.target_date), 4)
    end                                                                       as trajectory_value
from {{ ref('int_milestones__spc') }} as s
inner join {{ ref('int_milestones__baselines') }} as b using (milestone_id)
inner join {{ ref('int_milestones__register') }} as r using (milestone_id)
