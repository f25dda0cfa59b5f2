-- Domestic abuse by force, CSP and month (SAMPLE). Justice outcomes = charge/summons plus
-- out-of-court outcomes assigned in the month.
select
    area_code,
    csp_code,
    period_end,
    incidents,
    crimes,
    arrests,
    outcome_charge_summons,
    outcome_out_of_court,
    {{ justice_outcomes() }}                           as justice_outcomes,
    outcome_evidential_difficulties,
    outcome_victim_does_not_support,
    outcome_other,
    is_sample
from {{ ref('stg_force_feeds__domestic_abuse_monthly') }}
