-- Population and workforce rates per 100,000 residents, in the metric_values shape.
-- A workforce snapshot is matched to the nearest mid-year estimate (30 June) on or before it, and
-- only if that estimate is less than a year older: 31 March 2019 -> mid-2018, 30 September 2019 ->
-- mid-2019; snapshots after 30 June 2021 get no rate (no estimate after mid-2020 is bundled).
with population as (
    select area_code, period_end, population, is_sample, source from {{ ref('int_population__pfa_year') }}
),

workforce as (
    select metric_id, area_code, period_end, value, is_sample, source
    from {{ ref('int_metrics__workforce') }}
    where metric_id in ('officers_fte', 'pcsos_fte')
),

matched as (
    select w.*, p.population, p.period_end as population_date, p.is_sample as population_is_sample
    from workforce as w
    asof join population as p
        on p.area_code = w.area_code and p.period_end <= w.period_end
    where w.period_end < p.period_end + interval 1 year
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
    value / population * 100000,
    'per 100k',
    value,
    population,
    is_sample or population_is_sample,
    source || '; per 100,000 residents, ONS mid-' || year(population_date) || ' population'
from matched
