-- 101, 999 and digital contact by force and month: SAMPLE data (is_sample = true), aggregates only.
select
    c.period_end,
    c.area_code,
    a.area_name,
    c.* exclude (area_code, period_end)
from {{ ref('int_contact__monthly') }} as c
inner join {{ ref('dim_areas') }} as a using (area_code)
