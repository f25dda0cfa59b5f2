-- Population and workforce rates per 100,000 residents, in the metric_values shape.
-- A workforce snapshot is matched to the nearest mid-year estimate (30 June) on or before it, and
-- only if that estimate is less than a year older: 31 March 2019 -> mid-2018, 30 September 2019 ->
-- mid-2019; snapshots after 30 June 2021 get no rate (no LAD estimate after mid-2020 is bundled), except
-- officers at 31 March 2026, with the mid-2024 PFA population bundled beside them.
with population as (
    select area_code, period_end, population, is_sample, source from {{ ref('int_population__pfa_year') }}
),

workforce as (
    select metric_id, area_code, period_end, value, is_sample, source
    from {{ ref('int_metrics__workforce') }}
    where metric_id in ('officers_fte', 'pcsos_fte')
),

-- The 31 March 2026 officers come with the mid-2024 PFA population their compiler paired them with
-- (The Justice Pipeline, stg_justice_pipeline__force_indicators); England and Wales sums the 43.
paired_population as (
    select area_code, period_end, population_date, population, is_sample
    from {{ ref('stg_justice_pipeline__force_indicators') }}
    union all
    select 'K04000001', max(period_end), max(population_date), sum(population), bool_or(is_sample)
    from {{ ref('stg_justice_pipeline__force_indicators') }}
    having count(distinct area_code) = 43
),

matched as (
    select w.*, p.population, p.period_end as population_date, p.is_sample as population_is_sample
    from workforce as w
    asof join population as p
        on p.area_code = w.area_code and p.period_end <= w.period_end
    where w.period_end < p.period_end + interval 1 year
    union all by name
    select w.*, p.population, p.population_date, p.is_sample as population_is_sample
    from workforce as w
    inner join paired_population as p on p.area_code = w.area_code and p.period_end = w.period_end
    where w.metric_id = 'officers_fte'
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
