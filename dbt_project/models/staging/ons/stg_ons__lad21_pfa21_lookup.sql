-- Local authority district (December 2021) -> police force area.
with source as (
    {{ accepted_rows(source('ons', 'lad21_pfa21_lookup')) }}
)

select lad21cd as lad_code, pfa21cd as area_code, pfa21nm as pfa_name, _load_id as load_id
from source
