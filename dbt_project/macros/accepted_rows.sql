{#
  Rows of a raw table that the quality gate accepted, one version per period:
  for each period the load with the latest vintage (publication date) wins, then the latest load.
  So a restated period replaces the earlier one here while raw keeps both, and periods may arrive
  in any order. Rows the gate quarantined (meta.quarantine) never pass.
  keep_vintages=true keeps one version per period *and vintage* (the latest load of each edition):
  for sources whose editions overlap and are ranked later, in an intermediate model.
  The period column is the source contract's period_column (macro contract_period_column), so a
  model never restates it. partition_by (a list of expressions over alias r) replaces it, for sources whose
  files each hold one force and month, e.g. ["r.area_code", "date_trunc('month', r.received_at)"];
  a mapping {name: expression} also names the key columns of accepted_groups.

  How, so that no window runs over every row (issue 9): accepted_groups reduces raw to one row per
  load, vintage and period (a group-by), latest_loads ranks those few rows, and raw is hash-joined
  to the winners (`is not distinct from`, so a NULL period still forms one period, as a window
  partition does). A large source can keep its groups in an incremental model and pass it as
  `groups` (stg_force_feeds__call_loads): then a build reads only the winning loads' rows.
#}
{% macro accepted_rows(raw_relation, period_column=none, keep_vintages=false, partition_by=none, groups=none,
                       combine_parts=false) -%}
    {%- if period_column is none and partition_by is none -%}
        {%- set period_column = contract_period_column(raw_relation) -%}
    {%- endif -%}
    {%- set keys = partition_keys(period_column, partition_by) -%}
    {%- set groups_sql = groups if groups is not none else
        '(' ~ accepted_groups(raw_relation, period_column, partition_by) ~ ')' -%}
    select r.*
    from {{ raw_relation }} as r
    inner join ({{ latest_loads(groups_sql, keys | map('first') | list, keep_vintages, combine_parts) }}) as w
        on w.load_id = r._load_id
        and w.vintage is not distinct from r._vintage
        {%- for name, expr in keys %}
        and w.{{ name }} is not distinct from {{ expr }}
        {%- endfor %}
    where not exists (
        select 1 from {{ source('meta', 'quarantine') }} as q
        where q.load_id = r._load_id and q.row_number = r._row_number
    )
{%- endmacro %}


{#- One row per accepted load, vintage and period key with its accepted (not quarantined) rows.
    load_ids (a list of ints) restricts the scan to those loads, which DuckDB prunes by zone map. -#}
{% macro accepted_groups(raw_relation, period_column=none, partition_by=none, load_ids=none) -%}
    {%- if period_column is none and partition_by is none -%}
        {%- set period_column = contract_period_column(raw_relation) -%}
    {%- endif -%}
    select
        r._load_id as load_id,
        r._vintage as vintage,
        {%- for name, expr in partition_keys(period_column, partition_by) %}
        {{ expr }} as {{ name }},
        {%- endfor %}
        count(*) as row_count
    from {{ raw_relation }} as r
    inner join {{ source('meta', 'loads') }} as l
        on l.load_id = r._load_id and l.status = 'accepted'
    where not exists (
        select 1 from {{ source('meta', 'quarantine') }} as q
        where q.load_id = r._load_id and q.row_number = r._row_number
    )
    {%- if load_ids is not none %}
        and r._load_id in ({{ load_id_list(load_ids) }})
    {%- endif %}
    group by all
{%- endmacro %}


{#- The winning groups: per period (and vintage, with keep_vintages) the latest vintage, then the
    latest load. `groups` is a relation or a parenthesised query shaped like accepted_groups.
    combine_parts: the parts of one arrival (_part1, _part2, ... landed together, recorded in
    meta.load_arrivals by warehouse/ingest/partitions.py) rank as one load, so they all win together. -#}
{% macro latest_loads(groups, key_names, keep_vintages=false, combine_parts=false) -%}
    select g.* from {{ groups }} as g
    {%- if combine_parts %}
    left join {{ source('meta', 'load_arrivals') }} as a on a.load_id = g.load_id
    {%- endif %}
    qualify dense_rank() over (
        partition by {% for k in key_names %}g.{{ k }}{% if not loop.last %}, {% endif %}{% endfor %}{% if keep_vintages %}, g.vintage{% endif %}
        order by g.vintage desc nulls last, {% if combine_parts %}coalesce(a.arrival_load_id, g.load_id){% else %}g.load_id{% endif %} desc
    ) = 1
{% endmacro %}


{#- [(column name, expression over r)]: the mapping's names, or partition_1.. for a list. -#}
{% macro partition_keys(period_column, partition_by) -%}
    {%- set keys = [] -%}
    {%- if partition_by is mapping -%}
        {%- for name, expr in partition_by.items() %}{% do keys.append((name, expr)) %}{% endfor -%}
    {%- else -%}
        {%- for expr in (partition_by or ['r.' ~ period_column]) %}{% do keys.append(('partition_' ~ loop.index, expr)) %}{% endfor -%}
    {%- endif -%}
    {{ return(keys) }}
{%- endmacro %}


{#- The raw table's period column as its source contract states it (config.meta.contract.period_column
    in the sources YAML, the same key the loader and gate read: warehouse/core/contracts.py), so model calls
    never restate it. Only known at execution (graph); at parse time any name does. -#}
{% macro contract_period_column(raw_relation) -%}
    {%- if not execute -%}{{ return('_period_column_at_parse_time') }}{%- endif -%}
    {%- for node in graph.sources.values() if node.identifier == raw_relation.identifier
                                              and node.schema == raw_relation.schema -%}
        {%- set contract = (node.config.meta or node.meta or {}).get('contract') or {} -%}
        {%- if contract.get('period_column') -%}{{ return(contract['period_column']) }}{%- endif -%}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error("source contract for " ~ raw_relation ~ " gives no period_column "
                                       ~ "(config.meta.contract.period_column in its sources YAML)") }}
{%- endmacro %}
