-- Officers and PCSOs FTE by force, 30 Sep 2024, 31 Mar 2025, 30 Sep 2025 (rounded; Kent missing),
-- unpivoted to one row per force x snapshot x worker type.
with source as (
    {{ accepted_rows(source('home_office', 'workforce_officers_pcsos_2024_2025'), keep_vintages=true) }}
),

long as (
    select s.*, c.period_end, c.worker_type,
        case c.col when 'Officer_Sep24' then s.Officer_Sep24 when 'Officer_Mar25' then s.Officer_Mar25
                   when 'Officer_Sep25' then s.Officer_Sep25 when 'PCSO_Sep24' then s.PCSO_Sep24
                   when 'PCSO_Mar25' then s.PCSO_Mar25 when 'PCSO_Sep25' then s.PCSO_Sep25 end as value
    from source as s
    cross join (values
        ('Officer_Sep24', date '2024-09-30', 'officer'), ('Officer_Mar25', date '2025-03-31', 'officer'),
        ('Officer_Sep25', date '2025-09-30', 'officer'), ('PCSO_Sep24', date '2024-09-30', 'pcso'),
        ('PCSO_Mar25', date '2025-03-31', 'pcso'), ('PCSO_Sep25', date '2025-09-30', 'pcso')
    ) as c(col, period_end, worker_type)
)

select
    l.period_end,
    f.area_code,
    l.Force_Name       as home_office_force_name,
    l.worker_type,
    'fte'              as measure,
    l.value::double    as value,
    l._source_file     as source_file,
    l._vintage         as vintage,
    l._load_id         as load_id,
    l._is_sample       as is_sample
from long as l
-- Names (and renames such as "Hampshire and Isle of Wight") map through the one alias table.
left join {{ ref('force_aliases') }} as f on f.alias = l.Force_Name
