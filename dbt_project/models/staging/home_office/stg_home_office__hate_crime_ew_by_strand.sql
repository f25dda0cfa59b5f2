-- Home Office bulletin Table 2: hate crimes by strand, England and Wales (44 forces incl. BTP).
-- Blank cells in the table (no figure) are dropped here; raw keeps them as NULL.
with source as (
    {{ accepted_rows(source('home_office', 'hate_crime_ew_by_strand')) }}
)

select
    financial_year,
    make_date(cast(left(financial_year, 4) as integer) + 1, 3, 31) as period_end,
    measure,
    row_label,
    crimes,
    _vintage   as vintage,
    _load_id   as load_id,
    _is_sample as is_sample
from source
where crimes is not null
