-- Home Office Table H3: England and Wales FTE totals for officers, staff (incl. designated officers), PCSOs.
with source as (
    {{ accepted_rows(source('home_office', 'workforce_ew_timeseries')) }}
)

select
    date          as period_end,
    case type when 'officers' then 'officer' when 'pcsos' then 'pcso'
              when 'staff' then 'staff_and_designated' end as worker_type,
    number        as fte,
    _vintage      as vintage,
    _load_id      as load_id,
    _is_sample    as is_sample
from source
