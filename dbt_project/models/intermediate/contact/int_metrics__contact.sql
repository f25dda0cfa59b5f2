-- 101, 999 and digital contact metrics (SAMPLE data), forces by month, in the metric_values shape.
{%- set metrics = [
    ['calls_101_received', 'calls_101_received', 'count', none, none],
    ['calls_101_answered', 'calls_101_answered', 'count', none, none],
    ['calls_101_abandoned', 'calls_101_abandoned', 'count', none, none],
    ['calls_101_callbacks', 'calls_101_callbacks', 'count', none, none],
    ['calls_101_abandoned_pct', none, 'percent', 'calls_101_abandoned', 'calls_101_received'],
    ['calls_101_answered_within_target_pct', none, 'percent', 'calls_101_answered_within_target', 'calls_101_received'],
    ['calls_101_mean_wait_minutes', 'calls_101_mean_wait_minutes', 'minutes', none, none],
    ['calls_101_p90_wait_minutes', 'calls_101_p90_wait_minutes', 'minutes', none, none],
    ['calls_999_received', 'calls_999_received', 'count', none, none],
    ['calls_999_answered_within_10s_pct', none, 'percent', 'calls_999_answered_within_10s', 'calls_999_received'],
    ['digital_contacts_total', 'digital_contacts_total', 'count', none, none],
    ['digital_contacts_webchat', 'digital_contacts_webchat', 'count', none, none],
    ['digital_contacts_whatsapp', 'digital_contacts_whatsapp', 'count', none, none],
    ['digital_contacts_online', 'digital_contacts_online', 'count', none, none],
    ['digital_contact_share_pct', none, 'percent', 'digital_contacts_total', 'digital_contacts_total + calls_101_received'],
] %}
{{ metric_rows(ref('int_contact__monthly'), metrics, 'SAMPLE data: generated force call log and digital contact feeds (pcp sample)') }}
