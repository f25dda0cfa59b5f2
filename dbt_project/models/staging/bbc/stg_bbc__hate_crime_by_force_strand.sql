-- Hate crimes by territorial force and strand (BBC compilation of Home Office figures), one row per
-- force x financial year. Force names map to area codes through reference.force_aliases.
with source as (
    {{ accepted_rows(source('bbc', 'hate_crime_by_force_strand')) }}
)

select
    a.area_code,
    s.force                                                     as source_force_name,
    replace(s.year, '-', '/')                                   as financial_year,   -- 2017-18 -> 2017/18
    make_date(cast(left(s.year, 4) as integer) + 1, 3, 31)      as period_end,       -- 31 March, year ending
    s.race,
    s.religion,
    s.sexual_orientation,
    s.disability,
    s.transgender,
    s.motivating_factors,
    s.offences,
    s.population                                                as bbc_population,
    s.offences_per_100k                                         as bbc_offences_per_100k,
    s._vintage                                                  as vintage,
    s._load_id                                                  as load_id,
    s._is_sample                                                as is_sample
from source as s
left join {{ ref('force_aliases') }} as a on a.alias = s.force
