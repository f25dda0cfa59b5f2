-- police.uk street-level records (crimes and anti-social behaviour), accepted loads, latest file per
-- month and force. Record level: read only by the aggregate marts, never published as a mart itself.
with source as (
    -- one file per force and month, so what a later file replaces is that force's month
    {{ accepted_rows(source('police_uk', 'street_crimes'), partition_by=['r.month', 'r.reported_by']) }}
)

select
    a.area_code,
    s.falls_within                                    as police_uk_force_name,
    s.month,
    last_day(cast(s.month || '-01' as date))          as period_end,
    s.crime_id,
    s.crime_type,
    s.crime_type = 'Anti-social behaviour'            as is_anti_social_behaviour,
    s.lsoa_code,
    s.lsoa_name,
    s.lsoa_code is not null                           as has_location,
    s.last_outcome_category,
    s._vintage                                        as vintage,
    s._load_id                                        as load_id,
    s._is_sample                                      as is_sample
from source as s
left join {{ ref('force_aliases') }} as a on a.alias = s.falls_within
