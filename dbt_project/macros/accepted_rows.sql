{#
  Rows of a raw table that the quality gate accepted, one version per period:
  for each period the load with the latest vintage (publication date) wins, then the latest load.
  So a restated period replaces the earlier one here while raw keeps both, and periods may arrive
  in any order.
#}
{% macro accepted_rows(raw_relation, period_column) -%}
    select r.*
    from {{ raw_relation }} as r
    inner join {{ source('meta', 'loads') }} as l
        on l.load_id = r._load_id and l.status = 'accepted'
    qualify dense_rank() over (
        partition by r.{{ period_column }}
        order by r._vintage desc nulls last, r._load_id desc
    ) = 1
{%- endmacro %}
