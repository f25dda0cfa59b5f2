{#- A Europe/London wall-clock time as a TIMESTAMPTZ instant: the rule of warehouse/ingest/local_time.py
    (docs/force-feeds.md). In the repeated October hour a time is its first occurrence (BST) unless
    that puts it before `after` (the instant of the event it follows), then the second (GMT); a time
    in the missing March hour reads as GMT. DuckDB (ICU) gives the second occurrence and GMT itself.
    `exact`: the hidden raw column with the instant of a time the force wrote with an offset or Z
    (`_<column>_utc`, NULL for a local time): taken as it is, no rule needed.
    tests/ingest/test_local_time.py checks this macro and the Python agree. -#}
{% macro london_utc(ts, after=none, exact=none) -%}
    {%- set second = "(" ~ ts ~ " at time zone 'Europe/London')" -%}
    {%- set repeated = "(((" ~ second ~ " - interval 1 hour) at time zone 'Europe/London') = " ~ ts ~ ")" -%}
    {%- set first = "(case when " ~ repeated ~ " then " ~ second ~ " - interval 1 hour else " ~ second ~ " end)" -%}
    {%- if after is none -%}
        {%- set rule = first -%}
    {%- else -%}
        {%- set rule = "(case when " ~ repeated ~ " and " ~ first ~ " < " ~ after ~ " then " ~ second ~ " else " ~ first ~ " end)" -%}
    {%- endif -%}
    {%- if exact is none -%}
        {{ rule }}
    {%- else -%}
        coalesce({{ exact }}, {{ rule }})
    {%- endif -%}
{%- endmacro %}
