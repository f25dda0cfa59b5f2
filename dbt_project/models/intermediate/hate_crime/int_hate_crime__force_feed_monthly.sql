-- Hate crime by force, CSP, strand and month from the forces' monthly feed (SAMPLE).
-- strand 'all' counts each crime once; the strands can add up to more (multi-strand crimes).
select
    area_code,
    csp_code,
    period_end,
    strand,
    incidents,
    crimes,
    outcome_charge_summons,
    outcome_out_of_court,
    {{ justice_outcomes() }}                           as justice_outcomes,
    outcome_evidential_difficulties,
    outcome_victim_does_not_support,
    outcome_other,
    is_sample
from {{ ref('stg_force_feeds__hate_crime_monthly') }}
