-- Hate crime metrics from the forces' monthly feed (SAMPLE data), forces by month (sums of their
-- CSPs). hate_crimes_monthly_sample and hate_incidents count each crime once (strand 'all').
-- The crime counts have their own *_monthly_sample ids: the real Home Office annual figures are
-- hate_crimes / hate_crimes_<strand>, and real and sample data never share a metric id.
{%- set metrics = [
    ['hate_crimes_monthly_sample', 'crimes_all', 'count', none, none],
    ['hate_crimes_race_monthly_sample', 'crimes_race', 'count', none, none],
    ['hate_crimes_religion_monthly_sample', 'crimes_religion', 'count', none, none],
    ['hate_crimes_sexual_orientation_monthly_sample', 'crimes_sexual_orientation', 'count', none, none],
    ['hate_crimes_disability_monthly_sample', 'crimes_disability', 'count', none, none],
    ['hate_crimes_transgender_monthly_sample', 'crimes_transgender', 'count', none, none],
    ['hate_incidents', 'incidents_all', 'count', none, none],
    ['hate_crime_charge_rate_pct', none, 'percent', 'charge_summons_all', 'crimes_all'],
] %}
with by_force as (
    select
        area_code,
        period_end,
        sum(crimes) filter (where strand = 'all')                 as crimes_all,
        sum(crimes) filter (where strand = 'race')                as crimes_race,
        sum(crimes) filter (where strand = 'religion')            as crimes_religion,
        sum(crimes) filter (where strand = 'sexual_orientation')  as crimes_sexual_orientation,
        sum(crimes) filter (where strand = 'disability')          as crimes_disability,
        sum(crimes) filter (where strand = 'transgender')         as crimes_transgender,
        sum(incidents) filter (where strand = 'all')              as incidents_all,
        sum(outcome_charge_summons) filter (where strand = 'all') as charge_summons_all,
        bool_or(is_sample)                                        as is_sample
    from {{ ref('int_hate_crime__force_feed_monthly') }}
    group by area_code, period_end
)
{{ metric_rows('by_force', metrics, 'SAMPLE data: generated hate crime monthly feed (pcp sample hate_crime)') }}
