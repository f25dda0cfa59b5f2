-- Workforce metrics in the metric_values shape, forces and England and Wales.
with by_area as (
    select period_end, area_code, worker_type, headcount, fte, is_sample, source
    from {{ ref('int_workforce__snapshots') }}
),

measures as (
    select * from (values
        ('officer',            'officers_fte',             'fte',       'FTE'),
        ('officer',            'officers_headcount',       'headcount', 'headcount'),
        ('pcso',               'pcsos_fte',                'fte',       'FTE'),
        ('pcso',               'pcsos_headcount',          'headcount', 'headcount'),
        ('staff',              'staff_fte',                'fte',       'FTE'),
        ('staff',              'staff_headcount',          'headcount', 'headcount'),
        ('designated_officer', 'designated_officers_fte',  'fte',       'FTE'),
        ('designated_officer', 'designated_officers_headcount', 'headcount', 'headcount'),
        ('special_constable',  'specials_headcount',       'headcount', 'headcount'),
        ('volunteer',          'volunteers_headcount',     'headcount', 'headcount')
    ) as m(worker_type, metric_id, measure, unit)
)

select
    m.metric_id,
    b.area_code,
    b.period_end,
    'snapshot'                                                  as period_type,
    case m.measure when 'fte' then b.fte else b.headcount end   as value,
    m.unit,
    cast(null as double)                                        as numerator,
    cast(null as double)                                        as denominator,
    b.is_sample,
    b.source
from by_area as b
inner join measures as m using (worker_type)
where (case m.measure when 'fte' then b.fte else b.headcount end) is not null
