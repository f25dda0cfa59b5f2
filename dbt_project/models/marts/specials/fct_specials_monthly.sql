-- Special Constabulary duty by force and month: SAMPLE data (is_sample = true), aggregates only
-- (no Special appears here, not even by pseudonym).
select
    s.period_end,
    s.area_code,
    a.area_name,
    s.* exclude (area_code, period_end)
from {{ ref('int_specials__monthly') }} as s
inner join {{ ref('dim_areas') }} as a using (area_code)
