-- Domestic abuse metrics (SAMPLE data), forces by month (sums of their CSPs). Rates are outcomes or
-- arrests in the month per crime recorded in the month.
{%- set metrics = [
    ['da_crimes', 'crimes', 'count', none, none],
    ['da_incidents', 'incidents', 'count', none, none],
    ['da_arrests', 'arrests', 'count', none, none],
    ['da_justice_outcomes', 'justice_outcomes', 'count', none, none],
    ['da_arrest_rate_pct', none, 'percent', 'arrests', 'crimes'],
    ['da_justice_outcome_rate_pct', none, 'percent', 'justice_outcomes', 'crimes'],
] %}
with by_force as (
    select area_code, period_end, sum(incidents) as incidents, sum(crimes) as crimes, sum(arrests) as arrests,
           sum(justice_outcomes) as justice_outcomes, bool_or(is_sample) as is_sample
    from {{ ref('int_domestic_abuse__monthly') }}
    group by area_code, period_end
)
{{ metric_rows('by_force', metrics, 'SAMPLE data: generated domestic abuse monthly feed (pcp sample domestic_abuse)') }}

union all

-- Per 100,000 residents, complete financial years only (12 months): crimes in the year over the
-- population of the financial year (int_population__for_period, THE population rule; mid-2020 for
-- 2021/22 and 2022/23 with the bundled edition, mid-2024 from 2024/25).
select
    'da_crimes_per_100k'                          as metric_id,
    y.area_code,
    y.period_end,
    'financial_year'                              as period_type,
    {{ per_100k('y.crimes', 'p.population') }} as value,
    'per 100k'                                    as unit,
    y.crimes::double                              as numerator,
    p.population::double                          as denominator,
    y.is_sample,
    'SAMPLE data: generated domestic abuse monthly feed (pcp sample domestic_abuse); population: ' || p.source
        || ', mid-' || year(p.population_date) as source
from (
    select area_code,
           make_date(year(period_end - interval 3 month)::int + 1, 3, 31) as period_end,
           sum(crimes) as crimes, count(*) as months, bool_or(is_sample) as is_sample
    from by_force
    group by all
    having count(*) = 12
) as y
inner join {{ ref('int_population__for_period') }} as p
    on p.area_code = y.area_code and p.financial_year = {{ financial_year_of('y.period_end') }}
