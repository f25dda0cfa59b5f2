-- Which police force area each local authority district of the population file belongs to, for a
-- file on any geography year (warehouse/core/geography.py; the gate refuses a code of no geography year).
-- Route 1 (the one used): the December 2016 LAD -> PFA lookup, through lad16_lad21_successors for
-- the 25 districts merged in 2019-2021 (Buckinghamshire's four old districts -> E06000060 ->
-- Thames Valley; the Northamptonshire, Dorset, Suffolk and Somerset mergers likewise), and on through
-- lad21_lad23_successors for the 2023 unitaries (Cumberland, Westmorland and Furness -> Cumbria;
-- North Yorkshire -> North Yorkshire; Somerset -> Avon and Somerset).
-- Route 2 (the check): the December 2021 lookup. lookups_agree must be true for every 2021 district;
-- a 2023 district has no row there and agrees when its 2021 predecessors do (one area).
with lads as (
    select distinct lad_code, lad_name from {{ ref('stg_ons__population_by_lad') }}
),

lad21 as (
    select coalesce(s.lad21_code, l.lad16_code) as lad_code, l.area_code, l.lad16_name
    from {{ ref('stg_ons__lad16_csp16_pfa16_lookup') }} as l
    left join {{ ref('lad16_lad21_successors') }} as s on s.lad16_code = l.lad16_code
),

via_2016 as (
    select lad_code, min(area_code) as area_code, count(distinct area_code) as n_areas,
           string_agg(lad16_name, ', ' order by lad16_name) as lad16_names
    from (
        select * from lad21
        union all
        select s.lad23_code, l.area_code, l.lad16_name
        from lad21 as l inner join {{ ref('lad21_lad23_successors') }} as s on s.lad21_code = l.lad_code
    )
    group by 1
)

select
    d.lad_code,
    d.lad_name,
    v.area_code,
    v.lad16_names                                       as lad16_districts,
    n.area_code                                         as area_code_2021_lookup,
    coalesce(coalesce(v.area_code = n.area_code,
                      n.area_code is null and d.lad_code in (select lad23_code from {{ ref('lad21_lad23_successors') }}))
             and v.n_areas = 1, false)                  as lookups_agree
from lads as d
left join via_2016 as v using (lad_code)
left join {{ ref('stg_ons__lad21_pfa21_lookup') }} as n using (lad_code)
