-- Hate crime by force, community safety partnership, strand and month: SAMPLE data
-- (is_sample = true). strand 'all' counts each crime once. Special-category data: counts only.
select
    h.period_end,
    h.area_code,
    a.area_name,
    h.csp_code,
    l.csp_name,
    h.strand,
    h.* exclude (area_code, csp_code, period_end, strand)
from {{ ref('int_hate_crime__force_feed_monthly') }} as h
inner join {{ ref('dim_areas') }} as a using (area_code)
left join (select distinct CSP16CD as csp_code, CSP16NM as csp_name from {{ ref('lad16_csp16_pfa16') }}) as l
    using (csp_code)
