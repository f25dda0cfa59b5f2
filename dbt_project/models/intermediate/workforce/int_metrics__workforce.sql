-- Workforce metrics in the metric_values shape, forces and England and Wales, every half-yearly
-- snapshot where a source has it.
with measures as (
    select * from (values
        ('officer',            'fte',       'officers_fte',                  'FTE'),
        ('officer',            'headcount', 'officers_headcount',            'headcount'),
        ('pcso',               'fte',       'pcsos_fte',                     'FTE'),
        ('pcso',               'headcount', 'pcsos_headcount',               'headcount'),
        ('staff',              'fte',       'staff_fte',                     'FTE'),
        ('staff',              'headcount', 'staff_headcount',               'headcount'),
        ('designated_officer', 'fte',       'designated_officers_fte',       'FTE'),
        ('designated_officer', 'headcount', 'designated_officers_headcount', 'headcount'),
        ('special_constable',  'headcount', 'specials_headcount',            'headcount'),
        ('volunteer',          'headcount', 'volunteers_headcount',          'headcount')
    ) as m(worker_type, measure, metric_id, unit)
)

select
    m.metric_id,
    s.area_code,
    s.period_end,
    'snapshot'            as period_type,
    s.value,
    m.unit,
    cast(null as double)  as numerator,
    cast(null as double)  as denominator,
    s.is_sample,
    s.source || ' (edition of ' || strftime(s.vintage, '%d %B %Y') || ')' as source
from {{ ref('int_workforce__snapshots') }} as s
inner join measures as m using (worker_type, measure)
