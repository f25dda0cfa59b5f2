-- Resident population by police force area and mid-year (30 June), and England and Wales
-- (K04000001) as the sum of the 43 areas, only for years where every district maps to an area.
with by_lad as (
    select p.period_end, p.mid_year, p.lad_code, p.population, p.vintage, p.is_sample, m.area_code
    from {{ ref('stg_ons__population_by_lad') }} as p
    left join {{ ref('int_population__lad_pfa') }} as m using (lad_code)
),

forces as (
    select period_end, mid_year, area_code, sum(population) as population, count(*) as districts,
           max(vintage) as vintage, bool_or(is_sample) as is_sample
    from by_lad
    where area_code is not null
    group by period_end, mid_year, area_code
),

england_and_wales as (
    select period_end, mid_year, 'K04000001' as area_code, sum(population) as population,
           count(*) as districts, max(vintage) as vintage, bool_or(is_sample) as is_sample
    from by_lad
    group by period_end, mid_year
    having count(area_code) = count(*) and count(distinct area_code) = 43
)

select *, 'ONS mid-year population estimates, mid-2020 edition on 2021 geography' as source
from (select * from forces union all by name select * from england_and_wales)
