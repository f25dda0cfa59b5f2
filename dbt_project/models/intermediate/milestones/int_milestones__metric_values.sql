-- marts.metric_values (or a test fixture) typed, for the milestone models: every metric, area and period.
select
    metric_id,
    area_code,
    cast(period_end as date)       as period_end,
    period_type,
    cast(value as double)          as value,
    unit,
    cast(is_sample as boolean)     as is_sample,
    cast(numerator as double)      as numerator,
    cast(denominator as double)    as denominator,
    source
from {{ milestone_input('metric_values') }}
where value is not null
