-- Special Constabulary metrics (SAMPLE data), forces by month. Headcount comes from the Home Office
-- workforce tables (specials_headcount, real), not from here.
{%- set metrics = [
    ['specials_joiners', 'specials_joiners', 'count', none, none],
    ['specials_leavers', 'specials_leavers', 'count', none, none],
    ['specials_duty_hours', 'specials_duty_hours', 'hours', none, none],
    ['specials_operational_hours', 'specials_operational_hours', 'hours', none, none],
    ['specials_hours_fte', 'specials_hours_fte', 'FTE', 'specials_operational_hours', '40 * 52 / 12.0'],
] %}
{{ metric_rows(ref('int_specials__monthly'), metrics, 'SAMPLE data: generated Special Constabulary duty feed (pcp sample specials)') }}
