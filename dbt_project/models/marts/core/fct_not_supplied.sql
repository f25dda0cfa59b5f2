-- Forces a national publication left out (issue 14, kind 9): one row per metric x period x force
-- where the publication has figures for other forces but none for this one ("not supplied", e.g.
-- Kent in the September 2025 workforce extract, a hate crime year without Devon and Cornwall).
-- England and Wales is not formed for such a metric and period (macro all_forces_present).
-- Force feeds are not national publications (each force sends its own) and are not listed.
with national as (
    select metric_id, area_code, period_end, value, source, is_sample from {{ ref('int_metrics__workforce') }}
    union all by name
    select metric_id, area_code, period_end, value, source, is_sample from {{ ref('int_metrics__hate_crime') }}
),

periods as (
    select metric_id, period_end, count(distinct area_code) as forces_supplied,
           string_agg(distinct source, '; ' order by source) as source, bool_or(is_sample) as is_sample
    from national
    where area_code <> 'K04000001' and value is not null
    group by metric_id, period_end
)

select
    p.metric_id,
    f.area_code,
    f.area_name,
    p.period_end,
    'not supplied'              as status,
    p.forces_supplied,
    false                       as england_and_wales_formed,
    p.source,
    p.is_sample
from periods as p
cross join {{ ref('forces') }} as f
where p.forces_supplied < 43
  and not exists (select 1 from national as n
                  where n.metric_id = p.metric_id and n.period_end = p.period_end
                    and n.area_code = f.area_code and n.value is not null)
