{#
  Every force figure beside England and Wales and its peer group at the same period, on one basis:
  per 100,000 residents for counts (FTE, headcount, count, hours; population: THE population rule,
  macros/rates.sql population_by_financial_year, over the population figures of metric_values), the figure itself for rates,
  percentages and times. Peer-group values are the group's own total rate: sum of counts over sum of
  population, sum of numerators over sum of denominators for percentages, else the mean of the peers;
  left empty when a peer lacks what that needs (never a total over part of the group).
  One row per metric x force x period (grain of marts.metric_values without K04000001).
#}
with mv as (
    select * from {{ ref('metric_values') }}
),

estimates as (
    select area_code, period_end as population_date, value as population, is_sample, source
    from mv where metric_id = 'population'
),

population as (
    {{ population_by_financial_year('estimates') }}
),

figures as (
    select
        v.*,
        {{ per_100k_applies('v.unit') }} as per_100k_applies,
        p.population,
        p.population_date
    from mv as v
    left join population as p
        on p.area_code = v.area_code and p.financial_year = {{ financial_year_of('v.period_end') }}
    where v.metric_id <> 'population'
),

peer_values as (
    select f.metric_id, f.area_code, f.period_type, f.period_end, g.peer_area_code,
           v.value, v.numerator, v.denominator, v.population
    from figures as f
    inner join {{ ref('peer_groups') }} as g on g.area_code = f.area_code
    inner join figures as v
        on v.metric_id = f.metric_id and v.area_code = g.peer_area_code
       and v.period_type = f.period_type and v.period_end = f.period_end
),

peers as (
    select
        metric_id, area_code, period_type, period_end,
        {{ peer_group_sums() }}
    from peer_values
    group by all
),

group_size as (
    {{ peer_group_size() }}
)

select
    f.metric_id,
    f.area_code,
    f.area_name,
    f.period_type,
    f.period_end,
    f.unit,
    f.value,
    f.numerator,
    f.denominator,
    case when f.per_100k_applies then 'per 100k residents' else 'same unit (' || f.unit || ')' end as comparison_basis,
    f.population,
    f.population_date,
    case when f.per_100k_applies then round({{ per_100k('f.value', 'f.population') }}, 4) else f.value end as value_compared,
    case when f.per_100k_applies then round({{ per_100k('ew.value', 'ew.population') }}, 4) else ew.value end
                                                                           as england_wales_value,
    {{ peer_group_value('f.per_100k_applies', 'f.unit', 'pr', 'gs.peer_group_forces') }} as peer_group_value,
    case when f.per_100k_applies then pr.sum_value when f.unit = 'percent' then pr.sum_numerator end
                                                                           as peer_group_numerator,
    case when f.per_100k_applies then pr.sum_population when f.unit = 'percent' then pr.sum_denominator end
                                                                           as peer_group_denominator,
    gs.peer_group_forces,
    coalesce(pr.peer_group_forces_reporting, 0)                            as peer_group_forces_reporting,
    f.is_sample,
    f.source
from figures as f
left join figures as ew
    on ew.metric_id = f.metric_id and ew.area_code = 'K04000001'
   and ew.period_type = f.period_type and ew.period_end = f.period_end
left join peers as pr
    on pr.metric_id = f.metric_id and pr.area_code = f.area_code
   and pr.period_type = f.period_type and pr.period_end = f.period_end
left join group_size as gs on gs.area_code = f.area_code
where f.area_code <> 'K04000001'
