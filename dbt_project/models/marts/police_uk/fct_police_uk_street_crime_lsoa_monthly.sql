-- police.uk street-level records counted by LSOA, month and crime type (records with no location are
-- left out; they are counted in fct_police_uk_street_crime_monthly). Counts only.
select
    period_end,
    month,
    area_code,
    lsoa_code,
    lsoa_name,
    crime_type,
    count(*)             as records,
    max(vintage)         as vintage,
    bool_or(is_sample)   as is_sample,
    'police.uk street-level crime (monthly force CSV)' as source
from {{ ref('stg_police_uk__street_crimes') }}
where has_location
group by all
