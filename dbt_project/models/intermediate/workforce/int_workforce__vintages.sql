-- Every workforce figure from every bundled source and edition, one row per
-- source x edition (vintage) x area x snapshot x worker type x measure, and which one the marts use.
--
-- Rule (docs/workforce-and-population.md): for each area x snapshot x worker type x measure, the
-- figure from the edition with the latest publication date (vintage) wins; a "not available" (NULL)
-- figure never beats a real one. Published totals (ODS "Total 43 forces", Table H3) are kept with
-- is_total_row = true to reconcile against; they never win: England and Wales in the marts is the
-- sum of the 43 winning force figures (int_workforce__snapshots).
with open_data as (
    select period_end, area_code, worker_type, 'headcount' as measure, sum(headcount)::double as value,
           vintage, bool_or(is_sample) as is_sample
    from {{ ref('stg_home_office__workforce') }}
    group by period_end, area_code, worker_type, vintage
    union all
    select period_end, area_code, worker_type, 'fte', sum(fte), vintage, bool_or(is_sample)
    from {{ ref('stg_home_office__workforce') }}
    where fte is not null
    group by period_end, area_code, worker_type, vintage
),

unioned as (
    select period_end, area_code, worker_type, measure, value, false as is_total_row, vintage, is_sample,
           'Home Office, Police workforce open data tables' as source,
           'ho_police_workforce_open_data_mar2007_mar2022.csv' as source_file
    from open_data
    union all
    select period_end, area_code, worker_type, measure, value, is_total_row, vintage, is_sample,
           'Home Office, Police workforce 30 September tables, ' || sheet, source_file
    from {{ ref('stg_home_office__workforce_september_tables') }}
    union all
    select period_end, area_code, worker_type, measure, value, false, vintage, is_sample,
           'Home Office, Police workforce 30 September 2020 Table_1 (via lesscrime.info)', source_file
    from {{ ref('stg_home_office__workforce_officers_sep2020') }}
    union all
    select period_end, area_code, worker_type, measure, value, false, vintage, is_sample,
           'Home Office, Police workforce 30 September 2025 tables (via CBL Group 23, rounded)', source_file
    from {{ ref('stg_home_office__workforce_officers_pcsos_2024_2025') }}
    union all
    select period_end, area_code, worker_type, measure, value, false, vintage, is_sample,
           'Home Office, Police workforce open data 31 March 2026 (via The Justice Pipeline, rounded to whole FTE)',
           source_file
    from {{ ref('stg_justice_pipeline__force_indicators') }}
    union all
    select period_end, 'K04000001', case worker_type when 'staff_and_designated' then 'staff_and_designated_officer'
                                                    else worker_type end,
           'fte', fte, true, vintage, is_sample,
           'Home Office, Police workforce 31 March 2023 Table_H3',
           'ew_workforce_fte_officers_staff_pcsos_mar2003_mar2023.csv'
    from {{ ref('stg_home_office__workforce_ew_timeseries') }}
)

select
    *,
    row_number() over (
        partition by area_code, period_end, worker_type, measure, is_total_row
        order by value is null, vintage desc nulls last, source
    ) as vintage_rank,
    not is_total_row and vintage_rank = 1 as is_used_in_marts
from unioned
