-- How far a police.uk API answer (a small polygon) agrees with the force's archive CSV for the same
-- month: of the API's distinct persistent ids (territorial force crimes), how many are Crime IDs in the CSV.
with api as (
    select month, count(*) as api_records,
           count(*) filter (where location_type = 'BTP') as api_btp_records,
           count(distinct persistent_id) as api_persistent_ids
    from {{ ref('stg_police_uk__street_crimes_api') }}
    group by month
),

matched as (
    select a.month, count(distinct a.persistent_id) as matched_in_archive
    from {{ ref('stg_police_uk__street_crimes_api') }} as a
    inner join {{ ref('stg_police_uk__street_crimes') }} as c
        on c.crime_id = a.persistent_id and c.month = a.month
    group by a.month
),

archive_months as (
    select distinct month from {{ ref('stg_police_uk__street_crimes') }}
)

select
    api.month,
    api.api_records,
    api.api_btp_records,
    api.api_persistent_ids,
    coalesce(matched.matched_in_archive, 0) as matched_in_archive,
    archive_months.month is not null          as archive_month_loaded
from api
left join matched using (month)
left join archive_months using (month)
