-- Domestic abuse by force, community safety partnership and month: SAMPLE data (is_sample = true).
-- Special-category data: counts only.
select
    d.period_end,
    d.area_code,
    a.area_name,
    d.csp_code,
    l.csp_name,
    d.* exclude (area_code, csp_code, period_end)
from {{ ref('int_domestic_abuse__monthly') }} as d
inner join {{ ref('dim_areas') }} as a using (area_code)
left join (select distinct CSP16CD as csp_code, CSP16NM as csp_name from {{ ref('lad16_csp16_pfa16') }}) as l
    using (csp_code)
