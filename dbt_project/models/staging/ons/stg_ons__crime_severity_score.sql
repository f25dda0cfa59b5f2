-- ONS Crime Severity Score by police force area, latest edition per year ending March.
with source as (
    {{ accepted_rows(source('ons', 'crime_severity_score')) }}
)

select
    code                   as area_code,
    name                   as area_name,
    year                   as year_ending_march,
    make_date(year, 3, 31) as period_end,   -- the score covers April to March
    score,
    _vintage               as vintage,
    _load_id               as load_id,
    _is_sample             as is_sample
from source
