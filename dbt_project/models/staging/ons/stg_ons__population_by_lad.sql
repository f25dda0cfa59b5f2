-- ONS mid-year population by 2021 local authority district, latest edition per mid-year.
with source as (
    {{ accepted_rows(source('ons', 'population_by_lad')) }}
)

select
    -- Two Northamptonshire codes end in a non-breaking space (U+00A0) in the file.
    rtrim(code, chr(160) || ' ')  as lad_code,
    name                          as lad_name,
    year                          as mid_year,
    make_date(year, 6, 30)        as period_end,   -- mid-year estimates are as at 30 June
    population,
    _vintage                      as vintage,
    _load_id                      as load_id,
    _is_sample                    as is_sample
from source
