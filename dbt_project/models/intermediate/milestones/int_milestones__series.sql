{#
  The judged series of each measurable milestone (int_milestones__observations) with its cadence and
  segments: a new segment starts after a gap longer than milestone_gap_cadences x the cadence, so no
  trend, mean or limit spans a gap. Cadence is the period type's reporting interval (snapshot: the
  annual 31 March workforce snapshot; September snapshots are extra).
#}
with obs as (
    select
        *,
        case period_type
            when 'month' then 31 when 'quarter' then 92 when 'financial_year' then 366
            when 'snapshot' then 366 else 366
        end                                                                   as cadence_days
    from {{ ref('int_milestones__observations') }}
),

gaps as (
    select
        *,
        date_diff('day', lag(period_end) over w, period_end)                  as gap_days
    from obs
    window w as (partition by milestone_id order by period_end)
)

select
    *,
    1 + count(*) filter (where gap_days > cadence_days * {{ var('milestone_gap_cadences') }}) over (
        partition by milestone_id order by period_end rows between unbounded preceding and current row
    )                                                                         as segment
from gaps
