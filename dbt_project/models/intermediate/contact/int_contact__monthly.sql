-- 101, 999 and digital contact by force and month (SAMPLE): counts, waits and the counts behind
-- every percentage. Waits are of answered calls; "within target" counts answered calls.
-- The calls side is counted incrementally in int_contact__calls_monthly (only changed force-months).
with calls as (
    select * from {{ ref('int_contact__calls_monthly') }}
),

digital as (
    select
        area_code,
        period_end,
        sum(contacts)                                            as digital_contacts_total,
        coalesce(sum(contacts) filter (where channel = 'webchat'), 0)       as digital_contacts_webchat,
        coalesce(sum(contacts) filter (where channel = 'whatsapp'), 0)      as digital_contacts_whatsapp,
        coalesce(sum(contacts) filter (where channel = 'online_report'), 0) as digital_contacts_online,
        coalesce(sum(contacts) filter (where channel = 'email'), 0)         as digital_contacts_email,
        bool_or(is_sample)                                       as is_sample
    from {{ ref('stg_force_feeds__digital_contacts') }}
    group by area_code, period_end
)

select
    area_code,
    period_end,
    c.calls_101_received,
    c.calls_101_answered,
    c.calls_101_abandoned,
    c.calls_101_callbacks,
    c.calls_101_answered_within_target,
    c.calls_101_mean_wait_minutes,
    c.calls_101_p90_wait_minutes,
    c.calls_999_received,
    c.calls_999_answered_within_10s,
    d.digital_contacts_total,
    d.digital_contacts_webchat,
    d.digital_contacts_whatsapp,
    d.digital_contacts_online,
    d.digital_contacts_email,
    coalesce(c.is_sample, false) or coalesce(d.is_sample, false)  as is_sample
from calls as c
full outer join digital as d using (area_code, period_end)
