-- Workforce by area, snapshot (31 March / 30 September) and worker type x measure, as the marts use
-- it: the winning edition per force (int_workforce__vintages), and England and Wales (K04000001) as
-- the sum of the 43 territorial forces, only where all 43 have a figure (so not 30 Sep 2019 PCSOs,
-- where the 2019 tables show ".." for Norfolk, nor 2024-2025, where Kent is missing; macro
-- all_forces_present, and marts.fct_not_supplied lists the absent force). Published total rows are never used here.
with forces as (
    select period_end, area_code, worker_type, measure, value, vintage, is_sample, source
    from {{ ref('int_workforce__vintages') }}
    where is_used_in_marts and value is not null
),

england_and_wales as (
    select
        period_end,
        'K04000001'         as area_code,
        worker_type,
        measure,
        sum(value)          as value,
        max(vintage)        as vintage,
        bool_or(is_sample)  as is_sample,
        'Sum of the 43 forces: ' || string_agg(distinct source, '; ' order by source) as source
    from {{ ref('int_workforce__vintages') }}
    where is_used_in_marts and area_code <> 'K04000001'
    group by period_end, worker_type, measure
    having {{ all_forces_present('area_code', 'value') }}
)

select * from forces
union all by name
select * from england_and_wales
