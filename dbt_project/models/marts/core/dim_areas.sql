-- Every area a metric can be reported for: the 43 territorial police force areas and England and Wales.
select area_code, area_name, home_office_name, region, country, 'police force area' as area_type
from {{ ref('forces') }}
union all
select 'K04000001', 'England and Wales', 'Total 43 forces', null, 'England and Wales', 'country'
