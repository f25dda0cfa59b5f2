-- Police officers FTE by force (lesscrime.info compilation): 31 March 2007-2020 and 30 September 2020.
-- Dates are stored as the first of the month; last_day gives the real snapshot (31 Mar / 30 Sep).
with source as (
    {{ accepted_rows(source('home_office', 'workforce_officers_sep2020'), keep_vintages=true) }}
)

select
    last_day(s.date)   as period_end,
    f.area_code,
    s.force_name       as home_office_force_name,
    'officer'          as worker_type,
    'fte'              as measure,
    s.officers         as value,
    s._source_file     as source_file,
    s._vintage         as vintage,
    s._load_id         as load_id,
    s._is_sample       as is_sample
from source as s
left join {{ ref('force_aliases') }} as f on f.alias = s.force_name
