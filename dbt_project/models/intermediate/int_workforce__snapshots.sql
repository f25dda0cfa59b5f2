-- Workforce by area, snapshot and worker type (summed over sex and rank). England and Wales
-- (K04000001) is the sum of the 43 territorial forces, only for snapshots where all 43 are present.
with forces as (
    select
        period_end,
        area_code,
        worker_type,
        sum(headcount)     as headcount,
        sum(fte)           as fte,
        max(vintage)       as vintage,
        bool_or(is_sample) as is_sample
    from {{ ref('stg_home_office__workforce') }}
    group by all
),

england_and_wales as (
    select
        period_end,
        'K04000001'        as area_code,
        worker_type,
        sum(headcount)     as headcount,
        sum(fte)           as fte,
        max(vintage)       as vintage,
        bool_or(is_sample) as is_sample
    from forces
    group by period_end, worker_type
    having count(distinct area_code) = 43
)

select
    *,
    'Home Office, Police workforce open data tables (edition of ' || strftime(vintage, '%d %B %Y') || ')' as source
from (
    select * from forces
    union all by name
    select * from england_and_wales
)
