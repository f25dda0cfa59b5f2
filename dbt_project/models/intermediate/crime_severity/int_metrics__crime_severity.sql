-- Crime Severity Score (real, ONS, years ending March) in the metric_values shape. No England and
-- Wales row: a severity-weighted rate per resident is not the sum of the forces' scores.
select
    'crime_severity_score' as metric_id,
    area_code,
    period_end,
    'financial_year'       as period_type,
    score                  as value,
    'score'                as unit,        -- must agree with seeds/reference/metrics.csv (tests/core/test_one_rule.py)
    null::double           as numerator,
    null::double           as denominator,
    is_sample,
    'ONS Crime Severity Score (experimental statistics), total recorded crime, edition of '
    || vintage::varchar    as source
from {{ ref('stg_ons__crime_severity_score') }}
where score is not null
