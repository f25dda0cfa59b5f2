-- Outcomes of racially or religiously aggravated offences by force, quarter recorded, offence and
-- outcome type. British Transport Police has no police force area, so its area_code is NULL.
with source as (
    {{ accepted_rows(source('home_office', 'rr_aggravated_outcomes')) }}
)

select
    a.area_code,
    s.force_name,
    s.financial_year,
    s.financial_quarter,
    -- quarter 1 = April-June: its last day is 3 * quarter months after 31 March
    last_day(make_date(cast(left(s.financial_year, 4) as integer), 3, 1)
             + to_months(3 * s.financial_quarter))                          as period_end,
    make_date(cast(left(s.financial_year, 4) as integer) + 1, 3, 31)       as financial_year_end,
    s.offence_code,
    s.offence_description,
    s.offence_group,
    s.offence_subgroup,
    s.outcome_type,
    s.outcome_description,
    s.outcome_group,
    s.offences,
    s.force_outcomes_recorded_in_quarter,
    s._vintage   as vintage,
    s._load_id   as load_id,
    s._is_sample as is_sample
from source as s
left join {{ ref('force_aliases') }} as a on a.alias = s.force_name
