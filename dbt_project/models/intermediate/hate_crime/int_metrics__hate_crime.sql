-- Hate crime metrics (real, annual) in the metric_values shape.
with annual as (
    select * from {{ ref('int_hate_crime__annual') }}
),

strand_metrics as (
    select * from (values
        ('total_offences',     'hate_crimes'),
        ('race',               'hate_crimes_race'),
        ('religion',           'hate_crimes_religion'),
        ('sexual_orientation', 'hate_crimes_sexual_orientation'),
        ('disability',         'hate_crimes_disability'),
        ('transgender',        'hate_crimes_transgender')
    ) as m(strand, metric_id)
),

rr as (
    select * from {{ ref('int_hate_crime__rr_aggravated_annual') }}
)

select m.metric_id, a.area_code, a.period_end, 'financial_year' as period_type, a.crimes as value,
       'count' as unit, null::double as numerator, null::double as denominator, a.is_sample, a.source
from annual as a
inner join strand_metrics as m using (strand)

union all

select 'hate_crimes_per_100k', area_code, period_end, 'financial_year', crimes_per_100k, 'per 100k',
       crimes, population, is_sample,
       source || '; population: ' || population_source
from annual
where strand = 'total_offences' and population is not null

union all

select 'rr_aggravated_offences', area_code, period_end, 'financial_year', offences, 'count',
       null, null, is_sample, source
from rr

union all

select 'rr_aggravated_charged_pct', area_code, period_end, 'financial_year',
       {{ pct('charged_summonsed', 'offences') }}, 'percent', charged_summonsed, offences, is_sample,
       source || '; charged/summonsed (outcome type 1) as a share of offences recorded'
from rr
where offences > 0
