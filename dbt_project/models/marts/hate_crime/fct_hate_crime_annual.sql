-- Hate crimes by area (43 territorial forces and England and Wales), financial year and strand.
-- Aggregate counts only (hate crime is special-category data).
select
    h.period_end,
    h.financial_year,
    h.area_code,
    a.area_name,
    h.strand,
    h.crimes,
    h.population,
    h.crimes_per_100k,
    h.population_source,
    h.bbc_population,
    h.vintage,
    h.is_sample,
    h.source
from {{ ref('int_hate_crime__annual') }} as h
inner join {{ ref('dim_areas') }} as a using (area_code)
