-- Domestic abuse metrics (SAMPLE data), forces by month (sums of their CSPs). Rates are outcomes or
-- arrests in the month per crime recorded in the month.
{%- set metrics = [
    ['da_crimes', 'crimes', 'count', none, none],
    ['da_incidents', 'incidents', 'count', none, none],
    ['da_arrests', 'arrests', 'count', none, none],
    ['da_justice_outcomes', 'justice_outcomes', 'count', none, none],
    ['da_arrest_rate_pct', '100.0 * arrests / nullif(crimes, 0)', 'percent', 'arrests', 'crimes'],
    ['da_justice_outcome_rate_pct', '100.0 * justice_outcomes / nullif(crimes, 0)', 'percent', 'justice_outcomes', 'crimes'],
] %}
with by_force as (
    select area_code, period_end, sum(incidents) as incidents, sum(crimes) as crimes, sum(arrests) as arrests,
           sum(justice_outcomes) as justice_outcomes, bool_or(is_sample) as is_sample
    from {{ ref('int_domestic_abuse__monthly') }}
    group by area_code, period_end
)
{{ metric_rows('by_force', metrics, 'SAMPLE data: generated domestic abuse monthly feed (pcp sample domestic_abuse)') }}
