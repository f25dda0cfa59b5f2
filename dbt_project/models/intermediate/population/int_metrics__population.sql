-- Population and workforce rates per 100,000 residents, in the metric_values shape. A snapshot is
-- divided by the population of its financial year (int_population__for_period, THE population rule):
-- 31 March 2019 -> mid-2018, 30 September 2019 -> mid-2019, 30 September 2021 to 31 March 2023 ->
-- mid-2020 (the latest within 2 years), 31 March 2026 -> the mid-2024 PFA population.
-- The population figures are the estimates the rule chooses from (each is its own year's choice).
with population as (
    select distinct area_code, population_date as period_end, population, is_sample, source
    from {{ ref('int_population__for_period') }}
),

workforce as (
    select metric_id, area_code, period_end, value, is_sample, source
    from {{ ref('int_metrics__workforce') }}
    where metric_id in ('officers_fte', 'pcsos_fte')
),

matched as (
    select w.*, p.population, p.population_date, p.is_sample as population_is_sample
    from workforce as w
    inner join {{ ref('int_population__for_period') }} as p
        on p.area_code = w.area_code and p.financial_year = {{ financial_year_of('w.period_end') }}
)

select
    'population'            as metric_id,
    area_code,
    period_end,
    'snapshot'              as period_type,
    population::double      as value,
    'count'                 as unit,
    cast(null as double)    as numerator,
    cast(null as double)    as denominator,
    is_sample,
    source
from population
union all
select
    replace(metric_id, '_fte', '_per_100k'),
    area_code,
    period_end,
    'snapshot',
    {{ per_100k('value', 'population') }},
    'per 100k',
    value,
    population,
    is_sample or population_is_sample,
    source || '; per 100,000 residents, ONS mid-' || year(population_date) || ' population'
from matched
