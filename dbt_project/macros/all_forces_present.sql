{#- The one rule for England and Wales (K04000001) from force figures (issue 14, kind 9): it is
    formed only where all 43 territorial forces have a figure for the period. A period a publisher
    left a force out of (Kent in the September 2025 workforce extract; a hate crime year without
    Devon and Cornwall) has no England and Wales figure, and the absent force is listed as
    "not supplied" in marts.fct_not_supplied. Use in the `having` of a group by period. -#}
{% macro all_forces_present(area_col='area_code', value_col=none) -%}
count(distinct {{ area_col }}) filter (where {{ area_col }} <> 'K04000001'
    {%- if value_col %} and {{ value_col }} is not null{% endif %}) = 43
{%- endmacro %}
