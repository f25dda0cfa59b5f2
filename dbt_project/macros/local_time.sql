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

{#- Seconds from `start` to `end`, two Europe/London wall-clock times (or exact instants, `exact_*`),
    by the rule above. Two local times on one day that is not a clock-change day share their UTC
    offset, so their difference is read as written: the time zone arithmetic (seconds per million
    calls) runs only on the few calls that cross midnight, fall on a change day or carry an offset.
    tests/ingest/test_local_time.py checks it against the Python rule on both changes. -#}
{% macro london_seconds_between(start, end, exact_start=none, exact_end=none) -%}
    {%- set start_utc = london_utc(start, exact=exact_start) -%}
    {%- set same_offset -%}
        {{ start }}::date = {{ end }}::date
        and not (month({{ start }}) in (3, 10) and day({{ start }}) >= 25 and dayofweek({{ start }}) = 0)
        {%- if exact_start is not none %} and {{ exact_start }} is null{% endif %}
        {%- if exact_end is not none %} and {{ exact_end }} is null{% endif %}
    {%- endset -%}
    (case when {{ same_offset }} then date_diff('second', {{ start }}, {{ end }})
          else date_diff('second', {{ start_utc }}, {{ london_utc(end, start_utc, exact=exact_end) }}) end)
{%- endmacro %}
