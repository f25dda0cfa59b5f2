{#
  Progress of every Police and Crime Plan milestone: one row per milestone and reporting date (each
  period with data after the baseline; one row with reporting_date null for a milestone with no data).

  The RAG rule, written once here (and explained in _marts__models.yml and docs/milestones.md).
  Thresholds are the dbt vars in dbt_project.yml.
    target milestones (absolute, relative_change, back_to_level):
      green  target reached, or progress_pct >= expected progress (straight line baseline -> target
             by the deadline) minus milestone_rag_tolerance_pct percentage points
      amber  behind that, but the recent trend reaches the target on or before the deadline
      red    behind, and the trend reaches it after the deadline, never, or moves the wrong way
             (after the deadline the expected progress is 100%, so an unmet target is red)
    direction-only milestones, on the recent trend as % of the baseline a year in the good direction:
      green >= +milestone_flat_change_pct; red <= -milestone_flat_change_pct; amber in between
    not measurable: not measurable from any data held, no data for the metric and force yet, or no
      period after the baseline yet (status_reason says which).
#}
{% set tol = var('milestone_rag_tolerance_pct') %}
{% set flat = var('milestone_flat_change_pct') %}

with register as (
    select * from {{ ref('int_milestones__register') }}
),

mv as (
    select * from {{ ref('int_milestones__metric_values') }}
),

population as (
    select area_code, period_end, value as population from mv where metric_id = 'population'
),
{# A population estimate older than this is not used for a per-100k figure (the row shows population_date). #}
{% set pop_age = "interval 2 year" %}

loads as (
    select max(coalesce(validated_at, loaded_at)) as data_as_at
    from {{ source('meta', 'loads') }}
    where status = 'accepted'
),

rows_ as (
    select
        r.* exclude (period_type),   -- the series actually used is in b.period_type
        b.period_type,
        b.unit,
        b.baseline_date,
        b.baseline_value,
        b.target_value,
        t.reporting_date is not null                                as has_data_after_baseline,
        coalesce(t.reporting_date, b.baseline_date)                 as latest_date,
        coalesce(t.value, b.baseline_value)                         as latest_value,
        t.numerator                                                 as latest_numerator,
        t.denominator                                               as latest_denominator,
        t.source,
        t.slope_per_day,
        t.trend_points,
        t.trend_from,
        coalesce(t.any_sample_so_far, b.baseline_is_sample, false)  as is_sample
    from register as r
    left join {{ ref('int_milestones__baselines') }} as b using (milestone_id)
    left join {{ ref('int_milestones__trend') }} as t
        on t.milestone_id = r.milestone_id and t.reporting_date > b.baseline_date
),

measured as (
    select
        *,
        (target_value - latest_value) * direction_sign                      as gap_to_target,
        (target_value - latest_value) * direction_sign <= 0                 as target_reached,
        latest_value - baseline_value                                       as progress_numerator,
        target_value - baseline_value                                       as progress_denominator,
        case when (target_value - baseline_value) * direction_sign > 0
             then round(100 * (latest_value - baseline_value) / (target_value - baseline_value), 4)
        end                                                                 as progress_pct,
        case when target_value is not null and target_date > baseline_date
             then round(100 * least(1, greatest(0,
                      date_diff('day', baseline_date, latest_date) / date_diff('day', baseline_date, target_date))), 4)
        end                                                                 as expected_progress_pct,
        round(slope_per_day * 365.25, 6)                                    as trend_per_year,
        case when baseline_value <> 0
             then round(100 * slope_per_day * 365.25 * direction_sign / abs(baseline_value), 4)
        end                                                                 as trend_pct_per_year
    from rows_
),

projected as (
    select
        *,
        case
            when target_reached then latest_date
            when slope_per_day * direction_sign > 0
                 and gap_to_target / (slope_per_day * direction_sign) < 36525
                then latest_date + cast(ceil(round(gap_to_target / (slope_per_day * direction_sign), 6)) as integer)
        end                                                                 as projected_date,
        baseline_value + (target_value - baseline_value) * expected_progress_pct / 100 as expected_value_now,
        target_value is not null and target_date is not null               as has_dated_target
    from measured
),

rated as (
    select
        *,
        case
            when not measurable or metric_id is null then 'not measurable'
            when baseline_value is null then 'not measurable'
            when not has_data_after_baseline then 'not measurable'
            when has_dated_target then
                case
                    when target_reached then 'green'
                    when round(progress_pct - expected_progress_pct, 4) >= -{{ tol }} then 'green'
                    when projected_date <= target_date then 'amber'
                    else 'red'
                end
            when target_value is not null and target_reached then 'green'
            when trend_pct_per_year is null then 'not measurable'
            when trend_pct_per_year >= {{ flat }} then 'green'
            when trend_pct_per_year <= -{{ flat }} then 'red'
            else 'amber'
        end as rag_status
    from projected
),

explained as (
    select
        *,
        case
            when not measurable or metric_id is null
                then 'not measurable yet: needs ' || coalesce(data_needed, 'a data source')
            when baseline_value is null
                then 'no data yet for ' || metric_id || ' in ' || area_name
            when not has_data_after_baseline
                then 'no data after the baseline (' || strftime(baseline_date, '%d %b %Y') || ') yet'
            when rag_status = 'not measurable'
                then 'too few periods for a trend'
            when has_dated_target then
                case
                    when target_reached then 'target reached'
                    when rag_status = 'green' then printf('on or ahead of the straight-line trajectory (%.1f%% of the way, %.1f%% expected, tolerance %s points)', progress_pct, expected_progress_pct, '{{ tol }}')
                    when rag_status = 'amber' then printf('behind trajectory (%.1f%% of the way, %.1f%% expected) but the recent trend reaches the target by ', progress_pct, expected_progress_pct) || strftime(projected_date, '%d %b %Y')
                    when latest_date >= target_date then 'deadline passed, target not reached'
                    when coalesce(slope_per_day * direction_sign, 0) <= 0 then printf('behind trajectory (%.1f%% of the way, %.1f%% expected) and the recent trend is flat or moving the wrong way', coalesce(progress_pct, 0), expected_progress_pct)
                    when projected_date is null then printf('behind trajectory (%.1f%% of the way, %.1f%% expected) and the recent trend does not reach the target within 100 years', coalesce(progress_pct, 0), expected_progress_pct)
                    else printf('behind trajectory (%.1f%% of the way, %.1f%% expected); the recent trend reaches the target only on ', progress_pct, expected_progress_pct) || strftime(projected_date, '%d %b %Y')
                end
            when rag_status = 'green' and target_reached then 'target reached'
            else printf('recent trend %+.1f%% of the baseline a year in the wanted direction (flat band +/-%s%%)', trend_pct_per_year, '{{ flat }}')
        end as status_reason
    from rated
),

-- Comparisons at the same period: per 100,000 residents for counts (population: latest mid-year
-- estimate on or before the period), the figure itself for rates, percentages and times.
scaled as (
    select e.*, e.unit in ('FTE', 'headcount', 'count', 'hours') as per_100k_applies
    from explained as e
),

own_pop as (
    select s.milestone_id, s.latest_date, p.population, p.period_end as population_date
    from scaled as s
    asof inner join population as p on p.area_code = s.area_code and p.period_end <= s.latest_date
    where s.per_100k_applies and p.period_end > s.latest_date - {{ pop_age }}
),

ew as (
    select s.milestone_id, s.latest_date, v.value, v.numerator, v.denominator,
           case when p.period_end > s.latest_date - {{ pop_age }} then p.population end as population
    from scaled as s
    inner join mv as v
        on v.metric_id = s.metric_id and v.area_code = 'K04000001'
       and v.period_type = s.period_type and v.period_end = s.latest_date
    asof left join population as p on p.area_code = 'K04000001' and p.period_end <= s.latest_date
),

peer_values as (
    select s.milestone_id, s.latest_date, g.peer_area_code, v.value, v.numerator, v.denominator,
           case when p.period_end > s.latest_date - {{ pop_age }} then p.population end as population
    from scaled as s
    inner join {{ ref('peer_groups') }} as g on g.area_code = s.area_code
    inner join mv as v
        on v.metric_id = s.metric_id and v.area_code = g.peer_area_code
       and v.period_type = s.period_type and v.period_end = s.latest_date
    asof left join population as p on p.area_code = g.peer_area_code and p.period_end <= s.latest_date
),

peers as (
    select
        milestone_id,
        latest_date,
        count(*)                                                     as peer_group_forces,
        sum(value) filter (where population is not null)             as sum_value_with_population,
        sum(population)                                              as sum_population,
        count(population)                                            as forces_with_population,
        sum(numerator)                                               as sum_numerator,
        sum(denominator)                                             as sum_denominator,
        count(denominator)                                           as forces_with_counts,
        avg(value)                                                   as mean_value
    from peer_values
    group by all
)

select
    s.milestone_id,
    s.area_code,
    s.area_name,
    s.plan_priority,
    s.statement,
    s.metric_id,
    s.period_type,
    s.unit,
    s.direction,
    s.target_kind,
    s.latest_date                                                    as reporting_date,
    s.planned_baseline_date,
    s.baseline_date,
    round(s.baseline_value, 4)                                      as baseline_value,
    s.baseline_rule,
    round(s.target_value, 4)                                        as target_value,
    s.target_rule,
    s.target_date,
    round(s.latest_value, 4)                                        as latest_value,
    s.latest_date,
    s.latest_numerator,
    s.latest_denominator,
    -- Judgement figures are left empty on a not-measurable row (a lone baseline is no progress).
    case when s.rag_status <> 'not measurable' then round(s.progress_numerator, 4) end   as progress_numerator,
    case when s.rag_status <> 'not measurable' then round(s.progress_denominator, 4) end as progress_denominator,
    case when s.rag_status <> 'not measurable' then s.progress_pct end                   as progress_pct,
    case when s.rag_status <> 'not measurable' then s.expected_progress_pct end          as expected_progress_pct,
    case when s.rag_status <> 'not measurable' then round(s.expected_value_now, 4) end   as expected_value_now,
    s.rag_status,
    s.status_reason,
    case when s.rag_status <> 'not measurable' then s.projected_date end                 as projected_date,
    s.trend_per_year,
    s.trend_pct_per_year,
    s.trend_points,
    s.trend_from,
    case when s.per_100k_applies then round(s.latest_value / op.population * 100000, 4) end as latest_value_per_100k,
    op.population                                                    as population,
    op.population_date,
    case when s.per_100k_applies and op.population is null then 'per 100k residents (no population estimate within 2 years of the period)'
         when s.per_100k_applies then 'per 100k residents'
         when s.metric_id is not null and s.unit is not null then 'same unit (' || s.unit || ')'
    end                                                              as comparison_basis,
    case when s.per_100k_applies then round(ew.value / ew.population * 100000, 4)
         else ew.value end                                           as england_wales_value,
    case when s.per_100k_applies then ew.value else ew.numerator end as england_wales_numerator,
    case when s.per_100k_applies then ew.population else ew.denominator end as england_wales_denominator,
    case
        when s.per_100k_applies and pr.forces_with_population = pr.peer_group_forces
            then round(pr.sum_value_with_population / pr.sum_population * 100000, 4)
        when s.per_100k_applies then null
        when s.unit = 'percent' and pr.forces_with_counts = pr.peer_group_forces
            then round(100 * pr.sum_numerator / pr.sum_denominator, 4)
        else round(pr.mean_value, 4)
    end                                                              as peer_group_value,
    case when s.per_100k_applies then pr.sum_value_with_population
         when s.unit = 'percent' then pr.sum_numerator end           as peer_group_numerator,
    case when s.per_100k_applies then pr.sum_population
         when s.unit = 'percent' then pr.sum_denominator end         as peer_group_denominator,
    pr.peer_group_forces,
    s.is_sample,
    case when s.is_sample then 'SAMPLE: built on generated sample data, not real figures' end as sample_note,
    s.source,
    s.measurable,
    s.data_needed,
    s.source_document,
    s.quote,
    s.notes,
    row_number() over (partition by s.milestone_id order by s.latest_date desc nulls last) = 1 as is_latest,
    l.data_as_at
from scaled as s
cross join loads as l
left join own_pop as op using (milestone_id, latest_date)
left join ew using (milestone_id, latest_date)
left join peers as pr using (milestone_id, latest_date)
