-- Hate crime monthly counts by CSP and strand (SAMPLE), latest arrival per force and month.
with source as (
    {{ accepted_rows(source('force_feeds', 'hate_crime_monthly'), partition_by=["r.area_code", "r.month"], combine_parts=true) }}
)

select
    area_code,
    csp_code,
    last_day(month)::date              as period_end,
    strand,
    incidents,
    crimes,
    outcome_charge_summons,
    outcome_out_of_court,
    outcome_evidential_difficulties,
    outcome_victim_does_not_support,
    outcome_other,
    _vintage                           as vintage,
    _load_id                           as load_id,
    _is_sample                         as is_sample
from source
