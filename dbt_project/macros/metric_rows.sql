{#
  One metric_values-shaped select per metric over a monthly relation with area_code, period_end and
  is_sample, unioned. metrics: list of [metric_id, value expression, unit, numerator, denominator]
  (numerator and denominator none for plain counts). A percentage gives no value expression (none):
  it is pct(numerator, denominator) (macros/rates.sql), left out where the denominator is 0.
#}
{% macro metric_rows(relation, metrics, source_label) -%}
{%- for m in metrics %}
{%- if m[2] == 'percent' and m[1] is not none -%}
    {{ exceptions.raise_compiler_error(m[0] ~ ": a percentage is derived from its numerator and denominator; give none as its value") }}
{%- endif %}
{%- set value = pct(m[3], m[4]) if m[2] == 'percent' else m[1] %}
select
    '{{ m[0] }}'                                  as metric_id,
    area_code,
    period_end,
    'month'                                       as period_type,
    ({{ value }})::double                          as value,
    '{{ m[2] }}'                                  as unit,
    {{ m[3] if m[3] else 'null' }}::double        as numerator,
    {{ m[4] if m[4] else 'null' }}::double        as denominator,
    is_sample,
    '{{ source_label }}'                          as source
from {{ relation }}
where ({{ value }}) is not null
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- endmacro %}
