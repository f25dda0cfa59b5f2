{#- The call log's periods: one file per force and month, so a force-month is what a restated file
    replaces. Shared by stg_force_feeds__call_loads (the per-load index) and stg_force_feeds__calls. -#}
{% macro call_log_months() -%}
    {{ return({'area_code': 'r.area_code', 'month': "date_trunc('month', r.received_at)"}) }}
{%- endmacro %}
