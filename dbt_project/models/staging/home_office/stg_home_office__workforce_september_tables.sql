-- Home Office September workforce tables: every edition kept (one load per edition), forces and the
-- published "Total 43 forces" rows (is_total_row). int_workforce__vintages decides which edition wins.
with source as (
    {{ accepted_rows(source('home_office', 'workforce_september_tables'), keep_vintages=true) }}
)

select
    snapshot_date  as period_end,
    area_code,
    force_name     as home_office_force_name,
    worker_type,
    measure,
    value,
    is_total_row,
    sheet,
    _row_number    as sheet_row,
    _source_file   as source_file,
    _vintage       as vintage,
    _load_id       as load_id,
    _is_sample     as is_sample
from source
