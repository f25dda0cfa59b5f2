-- Racially or religiously aggravated offences by area and financial year: all offences recorded
-- (sum over every outcome type, "not yet assigned" included) and those charged/summonsed (outcome 1).
-- England and Wales = the 43 territorial forces (British Transport Police has no police force area);
-- the marts keep BTP's rows in fct_rr_aggravated_outcomes.
with forces as (
    select
        financial_year_end                                    as period_end,
        financial_year,
        area_code,
        sum(offences)                                         as offences,
        sum(offences) filter (where outcome_type = 1)         as charged_summonsed,
        max(vintage)                                          as vintage,
        bool_or(is_sample)                                    as is_sample
    from {{ ref('stg_home_office__rr_aggravated_outcomes') }}
    where area_code is not null
    group by all
),

england_and_wales as (
    select period_end, financial_year, 'K04000001' as area_code, sum(offences) as offences,
           sum(charged_summonsed) as charged_summonsed, max(vintage) as vintage, bool_or(is_sample) as is_sample
    from forces
    group by period_end, financial_year
    having {{ all_forces_present() }}
)

select
    *,
    'Home Office, Crime outcomes open data, year ending March ' || year(period_end)
        || ' (racially or religiously aggravated offences)' as source
from (
    select * from forces
    union all by name
    select * from england_and_wales
)
