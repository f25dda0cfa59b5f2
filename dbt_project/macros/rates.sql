{#
  The arithmetic of rates, written once (tests/transform/test_dbt_layout.py checks no model restates it):
  per 100,000 residents, percentages from numerator and denominator, justice outcomes, and the
  peer-group rule of the comparisons.
#}

{#- A count per 100,000 residents. -#}
{% macro per_100k(count, population) -%}
    ({{ count }}) * 100000.0 / ({{ population }})
{%- endmacro %}

{#- A percentage, 100 * numerator / denominator; NULL where the denominator is 0. -#}
{% macro pct(numerator, denominator) -%}
    100.0 * ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}

{#- Units compared per 100,000 residents (counts of people, crimes, hours); rates, percentages and
    times are compared as they are. -#}
{% macro per_100k_applies(unit) -%}
    ({{ unit }} in ('FTE', 'headcount', 'count', 'hours'))
{%- endmacro %}

{#- A population estimate older than this is not used for a comparison per 100,000 residents. -#}
{% macro population_max_age() -%}
    interval 2 year
{%- endmacro %}

{#-
  THE population rule (docs/workforce-and-population.md), the one place a population estimate is
  chosen for a figure per 100,000 residents: a figure is divided by the ONS mid-year estimate of the
  financial year its period falls in (the 30 June inside the April-March year containing period_end;
  a 31 March snapshot ends its financial year, so 31 March 2024 uses mid-2023); if that estimate is
  not published yet, the latest earlier estimate no more than 2 years older (population_max_age());
  the row says which mid-year it used (population_date).
-#}

{#- The April-March financial year a period falls in, as the calendar year it starts in
    (31 March 2024 -> 2023, 1 April 2024 -> 2024). -#}
{% macro financial_year_of(period_end) -%}
    year(({{ period_end }}) - interval 3 month)
{%- endmacro %}

{#- One row per area x financial_year (the year it starts in) with the population the rule picks from
    `estimates` (a relation: area_code, population_date (the estimate's 30 June), population,
    is_sample, source); columns area_code, financial_year, population, population_date, is_sample,
    source. Join it on area_code and financial_year = financial_year_of(period_end), never on a date
    range. -#}
{% macro population_by_financial_year(estimates) -%}
    select y.area_code, y.financial_year, e.population, e.population_date, e.is_sample, e.source
    from (
        select area_code, unnest(generate_series(min(year(population_date)), max(year(population_date)) + 2))
            as financial_year
        from {{ estimates }}
        group by area_code
    ) as y
    inner join {{ estimates }} as e
        on e.area_code = y.area_code and year(e.population_date) <= y.financial_year
       and make_date(year(e.population_date), 6, 30) >= make_date(y.financial_year, 6, 30) - {{ population_max_age() }}
    qualify row_number() over (partition by y.area_code, y.financial_year
                               order by e.population_date desc, e.source) = 1
{%- endmacro %}

{#- Justice outcomes (Home Office outcome framework): charge/summons plus out-of-court outcomes. -#}
{% macro justice_outcomes(charge_summons='outcome_charge_summons', out_of_court='outcome_out_of_court') -%}
    ({{ charge_summons }} + {{ out_of_court }})
{%- endmacro %}

{#- The sums over a force's peers' figures (value, numerator, denominator, population) that
    peer_group_value() reads; a select list for a query grouped by the figure. -#}
{% macro peer_group_sums() -%}
    count(*)                                           as peer_group_forces_reporting,
        sum(value) filter (where population is not null)   as sum_value,
        sum(population)                                    as sum_population,
        count(population)                                  as forces_with_population,
        sum(numerator)                                     as sum_numerator,
        sum(denominator)                                   as sum_denominator,
        count(denominator)                                 as forces_with_counts,
        avg(value)                                         as mean_value
{%- endmacro %}

{#- Forces in each force's peer group (area_code, peer_group_forces). -#}
{% macro peer_group_size() -%}
    select area_code, count(*) as peer_group_forces from {{ ref('peer_groups') }} group by all
{%- endmacro %}

{#-
  The peer group's value of a figure: the group's own total rate, the sum of counts over the sum of
  population (per_100k_applies), the sum of numerators over the sum of denominators (percentages),
  else the mean of the peers; NULL when a peer of the group lacks what that needs (never a total
  over part of the group). `peers` is the relation alias of the group's sums (sum_value,
  sum_population, forces_with_population, sum_numerator, sum_denominator, forces_with_counts,
  mean_value, peer_group_forces_reporting: peer_group_sums() over the peers' figures, with value,
  numerator, denominator and population); `group_forces` the number of forces in the group
  (peer_group_size()).
-#}
{% macro peer_group_value(per_100k_applies, unit, peers, group_forces) -%}
    case
        when {{ per_100k_applies }} and {{ peers }}.forces_with_population = {{ group_forces }}
            then round({{ per_100k(peers ~ '.sum_value', peers ~ '.sum_population') }}, 4)
        when {{ per_100k_applies }} then null
        when {{ unit }} = 'percent' and {{ peers }}.forces_with_counts = {{ group_forces }}
            then round({{ pct(peers ~ '.sum_numerator', peers ~ '.sum_denominator') }}, 4)
        when {{ unit }} = 'percent' then null
        when {{ peers }}.peer_group_forces_reporting = {{ group_forces }} then round({{ peers }}.mean_value, 4)
    end
{%- endmacro %}
