-- data.police.uk API records (crimes-street/all-crime), accepted loads, latest answer per month.
with source as (
    {{ accepted_rows(source('police_uk', 'street_crimes_api')) }}
)

select
    id,
    persistent_id,
    month,
    last_day(cast(month || '-01' as date)) as period_end,
    category,
    location_type,
    latitude,
    longitude,
    street_id,
    outcome_category,
    _vintage   as vintage,
    _load_id   as load_id,
    _is_sample as is_sample
from source
