-- Workforce by area (43 forces and England and Wales), 31 March snapshot and worker type.
select
    s.period_end,
    s.area_code,
    a.area_name,
    s.worker_type,
    s.headcount,
    s.fte,
    s.vintage,
    s.is_sample,
    s.source
from {{ ref('int_workforce__snapshots') }} as s
inner join {{ ref('dim_areas') }} as a using (area_code)
