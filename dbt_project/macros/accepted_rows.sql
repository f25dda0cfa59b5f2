{#
  Rows of a raw table that the quality gate accepted, one version per period:
  for each period the load with the latest vintage (publication date) wins, then the latest load.
  So a restated period replaces the earlier one here while raw keeps both, and periods may arrive
  in any order. Rows the gate quarantined (meta.quarantine) never pass.
  keep_vintages=true keeps one version per period *and vintage* (the latest load of each edition):
  for sources whose editions overlap and are ranked later, in an intermediate model.
  partition_by (a list of expressions over alias r) replaces the period column, for sources whose
  files each hold one force and month, e.g. ["r.area_code", "date_trunc('month', r.received_at)"].
#}
{% macro accepted_rows(raw_relation, period_column, keep_vintages=false, partition_by=none) -%}
    select r.*
    from {{ raw_relation }} as r
    inner join {{ source('meta', 'loads') }} as l
        on l.load_id = r._load_id and l.status = 'accepted'
    where not exists (
        select 1 from {{ source('meta', 'quarantine') }} as q
        where q.load_id = r._load_id and q.row_number = r._row_number
    )
    qualify dense_rank() over (
        partition by {{ (partition_by or ['r.' ~ period_column]) | join(', ') }}{% if keep_vintages %}, r._vintage{% endif %}
        order by r._vintage desc nulls last, r._load_id desc
    ) = 1
{%- endmacro %}
