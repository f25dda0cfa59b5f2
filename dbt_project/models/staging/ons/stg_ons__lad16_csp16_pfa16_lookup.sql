-- Local authority district (December 2016) -> community safety partnership -> police force area.
with source as (
    {{ accepted_rows(source('ons', 'lad16_csp16_pfa16_lookup')) }}
)

select
    LAD16CD   as lad16_code,
    LAD16NM   as lad16_name,
    CSP16CD   as csp_code,
    CSP16NM   as csp_name,
    PFA16CD   as area_code,
    PFA16NM   as pfa_name,
    _load_id  as load_id
from source
