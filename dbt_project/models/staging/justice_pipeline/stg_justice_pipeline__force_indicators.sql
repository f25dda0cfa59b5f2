-- Police officers FTE at 31 March 2026 and ONS mid-2024 population by police force area, from The
-- Justice Pipeline's force table (secondary, rounded: seeds/sources/workforce/PROVENANCE.md).
-- Joined by ONS code; the 2010 officer figures and the compiler's rates are left out.
with source as (
    {{ accepted_rows(source('justice_pipeline', 'force_indicators')) }}
)

select
    code                        as area_code,
    date '2026-03-31'           as period_end,
    'officer'                   as worker_type,
    'fte'                       as measure,
    off2026::double             as value,
    date '2024-06-30'           as population_date,
    pop                         as population,
    _source_file                as source_file,
    _vintage                    as vintage,
    _load_id                    as load_id,
    _is_sample                  as is_sample
from source
