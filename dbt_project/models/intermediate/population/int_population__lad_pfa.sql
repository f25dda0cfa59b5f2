-- Which police force area each 2021 local authority district of the population file belongs to.
-- Route 1 (the one used): the December 2016 LAD -> PFA lookup, through lad16_lad21_successors for
-- the 25 districts merged in 2019-2021 (Buckinghamshire's four old districts -> E06000060 ->
-- Thames Valley; the Northamptonshire, Dorset, Suffolk and Somerset mergers likewise).
-- Route 2 (the check): the December 2021 lookup. lookups_agree must be true for every district.
with lads as (
    select distinct lad_code, lad_name from {{ ref('stg_ons__population_by_lad') }}
),

via_2016 as (
    select coalesce(s.lad21_code, l.lad16_code) as lad_code,
           min(l.area_code) as area_code, count(distinct l.area_code) as n_areas,
           string_agg(l.lad16_name, ', ' order by l.lad16_name) as lad16_names
    from {{ ref('stg_ons__lad16_csp16_pfa16_lookup') }} as l
    left join {{ ref('lad16_lad21_successors') }} as s on s.lad16_code = l.lad16_code
    group by 1
)

select
    d.lad_code,
    d.lad_name,
    v.area_code,
    v.lad16_names                                       as lad16_districts,
    n.area_code                                         as area_code_2021_lookup,
    coalesce(v.area_code = n.area_code and v.n_areas = 1, false) as lookups_agree
from lads as d
left join via_2016 as v using (lad_code)
left join {{ ref('stg_ons__lad21_pfa21_lookup') }} as n using (lad_code)
