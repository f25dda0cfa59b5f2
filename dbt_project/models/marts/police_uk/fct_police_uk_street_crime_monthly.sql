-- police.uk street-level records counted by force area, month and crime type (context beside hate
-- crime and domestic abuse). Counts only; the record-level rows stay in raw/staging.
select
    s.period_end,
    s.month,
    s.area_code,
    a.area_name,
    s.crime_type,
    count(*)                                         as records,
    count(*) filter (where not s.has_location)       as records_without_location,
    count(*) filter (where s.last_outcome_category = 'Under investigation') as under_investigation,
    bool_or(s.is_anti_social_behaviour)              as is_anti_social_behaviour,
    max(s.vintage)                                   as vintage,
    bool_or(s.is_sample)                             as is_sample,
    'police.uk street-level crime (monthly force CSV)' as source
from {{ ref('stg_police_uk__street_crimes') }} as s
inner join {{ ref('dim_areas') }} as a using (area_code)
group by all
