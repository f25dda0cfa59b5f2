{#
  The two inputs of the milestone models: the register (seed `milestones`) and `metric_values`.
  Tests set the var `milestone_fixture_dir` to run the real models on crafted CSVs (read as text;
  the models cast every column), so the RAG rule is tested where it is written.
#}
{% macro milestone_input(name) -%}
    {%- set fixture = var('milestone_fixture_dir') -%}
    {%- if fixture -%}
        (select * from read_csv('{{ fixture }}/{{ name }}.csv', header = true, all_varchar = true))
    {%- else -%}
        {{ ref(name) }}
    {%- endif -%}
{%- endmacro %}

{#- The date the latest milestone figures are judged at (staleness, passed deadlines): the dbt var
    milestone_as_at, or the build date. -#}
{% macro milestone_as_at() -%}
    {%- if var('milestone_as_at') -%} date '{{ var('milestone_as_at') }}' {%- else -%} current_date {%- endif -%}
{%- endmacro %}
