-- The Home Office bulletin's England and Wales series by strand (Table 2), 2011/12 onwards. Covers all
-- 44 forces including British Transport Police, so it is larger than the 43-force sum in
-- fct_hate_crime_annual and is not used for K04000001 in metric_values.
select
    period_end,
    financial_year,
    measure,
    row_label,
    crimes,
    '44 forces (43 territorial and British Transport Police)' as coverage,
    vintage,
    is_sample,
    'Home Office, Hate crime, England and Wales, 2018/19, bulletin Table 2' as source
from {{ ref('stg_home_office__hate_crime_ew_by_strand') }}
