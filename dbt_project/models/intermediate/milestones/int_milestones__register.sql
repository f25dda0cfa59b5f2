-- The milestone register (seed reference.milestones), typed: one row per milestone, with the title
-- and date of the document it cites (seed reference.documents).
select
    r.milestone_id,
    r.area_code,
    a.area_name,
    r.plan_priority,
    r.statement,
    coalesce(nullif(trim(r.commitment_type), ''), 'commitment')  as commitment_type,
    nullif(trim(r.metric_id), '')                           as metric_id,
    nullif(trim(r.period_type), '')                         as period_type,
    nullif(trim(r.direction), '')                           as direction,
    case r.direction when 'down' then -1 else 1 end         as direction_sign,
    r.target_kind,
    cast(r.baseline_value as double)                        as register_baseline_value,
    cast(r.baseline_date as date)                           as planned_baseline_date,
    r.baseline_rule,
    cast(r.target_value as double)                          as register_target_value,
    cast(r.target_change as double)                         as target_change,
    cast(r.target_change_pct as double)                     as target_change_pct,
    r.target_rule,
    cast(r.target_date as date)                             as target_date,
    r.source_document,
    d.title                                                 as source_title,
    cast(d.document_date as date)                           as source_date,
    r.quote,
    coalesce(cast(r.measurable as boolean), false)          as measurable,
    r.data_needed,
    r.notes
from {{ milestone_input('milestones') }} as r
inner join {{ ref('dim_areas') }} as a on a.area_code = r.area_code
left join {{ ref('documents') }} as d on d.source_document = r.source_document
