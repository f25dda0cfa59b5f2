{#- load ids for `in (...)`: "3, 5, 8", or null (matches nothing) for an empty list. Filtering raw on
    the load ids themselves, not a subquery, lets DuckDB skip other loads' row groups by zone map. -#}
{% macro load_id_list(load_ids) -%}
    {{ load_ids | join(', ') if load_ids | length else 'null' }}
{%- endmacro %}
