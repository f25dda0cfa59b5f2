{#- The call log's periods: one file per force and month, so a force-month is what a restated file
    replaces. Shared by stg_force_feeds__call_loads (the per-load index) and stg_force_feeds__calls. -#}
{% macro call_log_months() -%}
    {{ return({'area_code': 'r.area_code', 'month': "date_trunc('month', r.received_at)"}) }}
{%- endmacro %}

{#- The call log's force-months to count in this build, one row each: its winning load (the parts of
    one arrival win together; the highest of their ids names the month's version) and every load
    counted in it. Incremental (`this` exists): only force-months whose winning load is not the one
    `this` counted them from (its column `counted_from`). Shared by int_contact__calls_monthly and
    int_contact__calls_daily. -#}
{% macro call_log_changed_months(counted_from='load_id') -%}
    select * from (
        select w.area_code, last_day(w.month)::date as period_end, max(w.load_id) as load_id,
               list(w.load_id order by w.load_id) as load_ids
        from ({{ latest_loads(ref('stg_force_feeds__call_loads'), ['area_code', 'month'], combine_parts=true) }}) as w
        group by all
    ) as w
    {%- if is_incremental() %}
    where not exists (
        select 1 from {{ this }} as t
        where t.area_code = w.area_code and t.period_end = w.period_end and t.{{ counted_from }} = w.load_id
    )
    {%- endif %}
{%- endmacro %}

{#- The FROM clause of a model counting the call log by force-month (int_contact__calls_monthly,
    int_contact__calls_daily): the staging rows `c` of the force-months to count, each joined to its
    row `w` of call_log_changed_months. An incremental build reads only the loads counted in those
    force-months (their ids listed, so DuckDB skips the others' row groups). -#}
{% macro from_changed_call_months(counted_from='load_id') -%}
    {%- set changed = call_log_changed_months(counted_from) -%}
    {%- set load_ids = none -%}
    {%- if is_incremental() and execute -%}
        {%- set load_ids = run_query("select distinct unnest(load_ids) from (" ~ changed ~ ") order by 1").columns[0].values() | list -%}
    {%- endif -%}
    from {{ ref('stg_force_feeds__calls') }} as c
    inner join ({{ changed }}) as w
        on w.area_code = c.area_code and w.period_end = c.period_end and list_contains(w.load_ids, c.load_id)
    {%- if load_ids is not none %}
    where c.load_id in ({{ load_id_list(load_ids) }})
    {%- endif %}
{%- endmacro %}
