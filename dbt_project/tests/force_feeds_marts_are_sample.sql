-- Every row the generated force feeds put in the marts is marked is_sample (until a force sends real
-- files and its contract says is_sample: false). Rows returned = failures.
select 'fct_contact_monthly' as mart, period_end, area_code from {{ ref('fct_contact_monthly') }} where not is_sample
union all select 'fct_specials_monthly', period_end, area_code from {{ ref('fct_specials_monthly') }} where not is_sample
union all select 'fct_domestic_abuse_monthly', period_end, area_code from {{ ref('fct_domestic_abuse_monthly') }} where not is_sample
union all select 'fct_hate_crime_monthly', period_end, area_code from {{ ref('fct_hate_crime_monthly') }} where not is_sample
union all select 'metric_values ' || metric_id, period_end, area_code from {{ ref('metric_values') }}
    where source like 'SAMPLE%' and not is_sample
