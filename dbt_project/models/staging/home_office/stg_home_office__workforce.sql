-- Home Office police workforce open data: one row per 31 March snapshot x force x sex x rank x worker type.
with source as (
    {{ accepted_rows(source('home_office', 'workforce_open_data')) }}
)

select
    last_day(date)                                   as period_end,   -- stored as YYYY-03-01, means 31 March
    geo_code                                         as area_code,
    force_name                                       as home_office_force_name,
    region,
    sex,
    rank_description,
    case worker_type
        when 'police officer' then 'officer'
        when 'police community support officer' then 'pcso'
        when 'police staff' then 'staff'
        when 'designated officer' then 'designated_officer'
        when 'special constable' then 'special_constable'
        when 'police support volunteer' then 'volunteer'
    end                                              as worker_type,
    total_headcount                                  as headcount,
    -- FTE is not collected for specials and volunteers: the file's 0 means "no figure".
    case when worker_type in ('special constable', 'police support volunteer') then null
         else total_fte end                          as fte,
    _vintage                                         as vintage,
    _load_id                                         as load_id,
    _is_sample                                       as is_sample
from source
