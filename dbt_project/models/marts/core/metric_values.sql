-- The analysts' contract: one row per metric x area x period. Other marts and the panel reports
-- build on these names; add a domain by adding its int_metrics__<domain> model to the union.
with unioned as (
    select * from {{ ref('int_metrics__workforce') }}
    union all by name select * from {{ ref('int_metrics__population') }}
    union all by name select * from {{ ref('int_metrics__hate_crime') }}
    union all by name select * from {{ ref('int_metrics__contact') }}
    union all by name select * from {{ ref('int_metrics__specials') }}
    union all by name select * from {{ ref('int_metrics__domestic_abuse') }}
    union all by name select * from {{ ref('int_metrics__hate_crime_monthly') }}
    union all by name select * from {{ ref('int_metrics__999_answer_times') }}
    union all by name select * from {{ ref('int_metrics__crime_severity') }}
)

select
    u.metric_id,
    u.area_code,
    a.area_name,
    u.period_end,
    u.value::double       as value,
    m.unit,               -- stated once, in seeds/reference/metrics.csv
    u.is_sample,
    u.source,
    u.period_type,
    u.numerator::double   as numerator,
    u.denominator::double as denominator
from unioned as u
inner join {{ ref('dim_areas') }} as a using (area_code)
left join {{ ref('metrics') }} as m using (metric_id)  -- a metric missing there fails unit's not_null test
