-- Digital contacts by day and channel (SAMPLE), latest arrival per force and month.
with source as (
    {{ accepted_rows(source('force_feeds', 'digital_contacts'), partition_by=
                     ["r.area_code", "date_trunc('month', r.date)"], combine_parts=true) }}
)

select
    area_code,
    date,
    last_day(date)::date  as period_end,
    channel,
    contacts,
    _vintage              as vintage,
    _load_id              as load_id,
    _is_sample            as is_sample
from source
