-- Hate crimes by area (43 forces and England and Wales), financial year and strand, long format.
-- England and Wales (K04000001) is the sum of the 43 territorial forces, only for years where all 43
-- are present (macro all_forces_present; an absent force is listed in marts.fct_not_supplied).
-- British Transport Police is not in this source. Rates per 100,000 residents use the population of
-- the financial year (int_population__for_period, THE population rule: 2018/19 -> mid-2018), as the
-- Home Office does; the BBC file's own population column is kept beside it for comparison only.
with forces as (
    select * from {{ ref('stg_bbc__hate_crime_by_force_strand') }}
),

long as (
    unpivot forces
    on race, religion, sexual_orientation, disability, transgender,
       motivating_factors as total_motivating_factors, offences as total_offences
    into name strand value crimes
),

by_force as (
    select period_end, financial_year, area_code, strand, crimes, bbc_population, vintage, is_sample
    from long
),

england_and_wales as (
    select period_end, financial_year, 'K04000001' as area_code, strand, sum(crimes) as crimes,
           null::bigint as bbc_population,   -- the BBC gives none for City of London
           max(vintage) as vintage, bool_or(is_sample) as is_sample
    from by_force
    group by period_end, financial_year, strand
    having {{ all_forces_present() }}
),

with_population as (
    select h.*, p.population, year(p.population_date) as mid_year
    from (select * from by_force union all by name select * from england_and_wales) as h
    left join {{ ref('int_population__for_period') }} as p
        on p.area_code = h.area_code and p.financial_year = {{ financial_year_of('h.period_end') }}
)

select
    period_end, financial_year, area_code, strand, crimes,
    population,
    {{ per_100k('crimes', 'population') }}                                as crimes_per_100k,
    case when population is not null
         then 'ONS mid-year population estimate, mid-' || mid_year end      as population_source,
    bbc_population,
    vintage, is_sample,
    'Home Office, Hate crime, England and Wales, 2018 to 2019 (by force; compiled by the BBC England Data Unit)'
        as source
from with_population
