-- A force's domestic-abuse or hate-crime file may only hold its own community safety partnerships
-- (ONS LAD16 -> CSP16 -> PFA16 lookup). Rows returned = failures.
with lookup as (
    select distinct CSP16CD as csp_code, PFA16CD as area_code from {{ ref('lad16_csp16_pfa16') }}
),

feeds as (
    select area_code, csp_code, period_end, 'domestic_abuse' as feed from {{ ref('stg_force_feeds__domestic_abuse_monthly') }}
    union all
    select area_code, csp_code, period_end, 'hate_crime' from {{ ref('stg_force_feeds__hate_crime_monthly') }}
)

select f.*
from feeds as f
left join lookup as l using (csp_code, area_code)
where l.csp_code is null
