-- Hate crimes by area (43 forces and England and Wales), financial year and strand, long format.
-- England and Wales (K04000001) is the sum of the 43 territorial forces, only for years where all 43
-- are present (British Transport Police is not in this source). Rates use the population column of
-- the BBC compilation (year not stated; none for City of London), so no England and Wales rate.
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
    select period_end, financial_year, area_code, strand, crimes, bbc_population as population,
           vintage, is_sample
    from long
),

england_and_wales as (
    select period_end, financial_year, 'K04000001' as area_code, strand, sum(crimes) as crimes,
           -- a population only if every force has one (City of London has none in this source)
           case when count(population) = 43 then sum(population) end as population,
           max(vintage) as vintage, bool_or(is_sample) as is_sample
    from by_force
    group by period_end, financial_year, strand
    having count(distinct area_code) = 43
)

select
    *,
    crimes * 100000.0 / population as crimes_per_100k,
    case when population is not null
         then 'BBC England Data Unit compilation (population year not stated)' end as population_source,
    'Home Office, Hate crime, England and Wales, 2018 to 2019 (by force; compiled by the BBC England Data Unit)'
        as source
from (
    select * from by_force
    union all by name
    select * from england_and_wales
)
