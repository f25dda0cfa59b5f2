-- Workforce by area (43 forces and England and Wales), half-yearly snapshot (31 March, 30 September),
-- worker type and measure (fte or headcount); the latest edition of each figure (int_workforce__vintages).
select
    s.period_end,
    s.area_code,
    a.area_name,
    s.worker_type,
    s.measure,
    s.value,
    s.vintage,
    s.is_sample,
    s.source
from {{ ref('int_workforce__snapshots') }} as s
inner join {{ ref('dim_areas') }} as a using (area_code)
