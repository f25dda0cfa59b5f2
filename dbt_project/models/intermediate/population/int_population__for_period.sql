-- The population every intermediate figure per 100,000 residents is divided by: one row per area x
-- financial year, by THE population rule (macros/rates.sql population_by_financial_year; docs/
-- workforce-and-population.md). Estimates: the ONS mid-year LAD estimates summed to police force
-- areas (int_population__pfa_year, mid-2001 to mid-2020), and the mid-2024 PFA population The Justice
-- Pipeline bundles beside its 31 March 2026 officers (England and Wales = the 43, only when all 43 are there).
with estimates as (
    select area_code, period_end as population_date, population, is_sample, source
    from {{ ref('int_population__pfa_year') }}
    union all
    select area_code, population_date, population, is_sample,
           'ONS mid-year population estimate by police force area (via The Justice Pipeline)'
    from {{ ref('stg_justice_pipeline__force_indicators') }}
    union all
    select 'K04000001', max(population_date), sum(population), bool_or(is_sample),
           'ONS mid-year population estimate by police force area (via The Justice Pipeline), sum of the 43'
    from {{ ref('stg_justice_pipeline__force_indicators') }}
    having count(distinct area_code) = 43
)

{{ population_by_financial_year('estimates') }}
