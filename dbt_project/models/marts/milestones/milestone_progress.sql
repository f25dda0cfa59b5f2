{#
  Progress of every Police and Crime Plan milestone: one row per milestone and reporting date (each
  period with data after the baseline; one row with reporting_date null for a milestone with no data).
  The status and its reason come from int_milestones__status (the rule, written once there and in
  words in reference.status_rules); this model adds the comparisons with England and Wales and the
  peer group at the same period.
#}
with s0 as (
    select * from {{ ref('int_milestones__status') }}
),

mv as (
    select * from {{ ref('int_milestones__metric_values') }}
),

estimates as (
    select area_code, period_end as population_date, value as population, is_sample, source
    from mv where metric_id = 'population'
),

population as (
    {{ population_by_financial_year('estimates') }}
),

loads as (
    select max(coalesce(validated_at, loaded_at)) as data_as_at
    from {{ source('meta', 'loads') }}
    where status = 'accepted'
),

-- Comparisons at the same period: per 100,000 residents for counts (population: THE population rule,
-- macros/rates.sql population_by_financial_year), the figure itself for rates, percentages and times.
scaled as (
    select e.*, {{ per_100k_applies('e.unit') }} as per_100k_applies
    from s0 as e
),

own_pop as (
    select s.milestone_id, s.reporting_date, s.latest_date, p.population, p.population_date
    from scaled as s
    inner join population as p
        on p.area_code = s.area_code and p.financial_year = {{ financial_year_of('s.latest_date') }}
    where s.per_100k_applies
),

ew as (
    select s.milestone_id, s.reporting_date, s.latest_date, v.value, v.numerator, v.denominator,
           p.population
    from scaled as s
    inner join mv as v
        on v.metric_id = s.metric_id and v.area_code = 'K04000001'
       and v.period_type = s.period_type and v.period_end = s.latest_date
    left join population as p
        on p.area_code = 'K04000001' and p.financial_year = {{ financial_year_of('s.latest_date') }}
),

peer_values as (
    select s.milestone_id, s.reporting_date, s.latest_date, g.peer_area_code, v.value, v.numerator, v.denominator,
           p.population
    from scaled as s
    inner join {{ ref('peer_groups') }} as g on g.area_code = s.area_code
    inner join mv as v
        on v.metric_id = s.metric_id and v.area_code = g.peer_area_code
       and v.period_type = s.period_type and v.period_end = s.latest_date
    left join population as p
        on p.area_code = g.peer_area_code and p.financial_year = {{ financial_year_of('s.latest_date') }}
),

peers as (
    select
        milestone_id,
        reporting_date,
        {{ peer_group_sums() }}
    from peer_values
    group by all
),

group_size as (
    {{ peer_group_size() }}
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
    s.reporting_date,
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
    case when s.status <> 'not measurable' then round(s.progress_numerator, 4) end   as progress_numerator,
    case when s.status <> 'not measurable' then round(s.progress_denominator, 4) end as progress_denominator,
    case when s.status <> 'not measurable' then s.progress_pct end                   as progress_pct,
    case when s.status <> 'not measurable' then s.expected_progress_pct end          as expected_progress_pct,
    case when s.status <> 'not measurable' then round(s.expected_value_now, 4) end   as expected_value_now,
    s.status,
    s.status_date,
    s.rag_status,
    s.status_reason,
    s.variation,
    s.signal,
    s.assurance,
    round(s.process_mean, 4)                                         as process_mean,
    round(s.process_lower_limit, 4)                                  as process_lower_limit,
    round(s.process_upper_limit, 4)                                  as process_upper_limit,
    s.is_stale,
    s.stale_note,
    s.stale_after,
    s.deadline_date,
    round(s.deadline_value, 4)                                       as deadline_value,
    s.commitment_type,
    case when s.status <> 'not measurable' then s.projected_date end                 as projected_date,
    s.trend_per_year,
    s.trend_pct_per_year,
    s.trend_points,
    s.trend_from,
    case when s.per_100k_applies then round({{ per_100k('s.latest_value', 'op.population') }}, 4) end as latest_value_per_100k,
    op.population,
    op.population_date,
    case when s.per_100k_applies and op.population is null then 'per 100k residents (no population estimate within 2 years of the period)'
         when s.per_100k_applies then 'per 100k residents'
         when s.metric_id is not null and s.unit is not null then 'same unit (' || s.unit || ')'
    end                                                              as comparison_basis,
    case when s.per_100k_applies then round({{ per_100k('ew.value', 'ew.population') }}, 4)
         else ew.value end                                           as england_wales_value,
    case when s.per_100k_applies then ew.value else ew.numerator end as england_wales_numerator,
    case when s.per_100k_applies then ew.population else ew.denominator end as england_wales_denominator,
    {{ peer_group_value('s.per_100k_applies', 's.unit', 'pr', 'gs.peer_group_forces') }} as peer_group_value,
    case when s.per_100k_applies then pr.sum_value
         when s.unit = 'percent' then pr.sum_numerator end           as peer_group_numerator,
    case when s.per_100k_applies then pr.sum_population
         when s.unit = 'percent' then pr.sum_denominator end         as peer_group_denominator,
    pr.peer_group_forces_reporting                                   as peer_group_forces,
    s.is_sample,
    case when s.is_sample then 'SAMPLE: built on generated sample data, not real figures' end as sample_note,
    s.source,
    s.measurable,
    s.data_needed,
    s.source_document,
    s.source_title,
    s.source_date,
    s.quote,
    s.notes,
    row_number() over (partition by s.milestone_id order by s.reporting_date desc nulls last) = 1 as is_latest,
    l.data_as_at
from scaled as s
cross join loads as l
left join own_pop as op using (milestone_id, reporting_date)
left join ew using (milestone_id, reporting_date)
left join peers as pr using (milestone_id, reporting_date)
left join group_size as gs on gs.area_code = s.area_code
