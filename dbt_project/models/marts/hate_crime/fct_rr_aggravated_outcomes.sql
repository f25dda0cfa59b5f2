-- Racially or religiously aggravated offences by force (44, with British Transport Police: area_code
-- NULL), quarter recorded, offence and outcome type. Aggregate counts from the Home Office open data.
select
    o.period_end,
    o.financial_year,
    o.financial_quarter,
    o.area_code,
    coalesce(a.area_name, o.force_name) as force_name,
    o.offence_code,
    o.offence_description,
    o.outcome_type,
    o.outcome_description,
    o.outcome_group,
    o.offences,
    o.vintage,
    o.is_sample,
    'Home Office, Crime outcomes open data (racially or religiously aggravated offences)' as source
from {{ ref('stg_home_office__rr_aggravated_outcomes') }} as o
left join {{ ref('dim_areas') }} as a using (area_code)
