-- 101 and 999 call log (SAMPLE): one row per call, accepted loads only, the latest arrival per force
-- and month. The pseudonymised call id is left behind in raw: nothing downstream needs it.
-- The winning load per force and month comes from the per-load index (stg_force_feeds__call_loads),
-- so reading this view never ranks or scans the whole log first.
with source as (
    {{ accepted_rows(source('force_feeds', 'calls'), partition_by=call_log_months(),
                     groups=ref('stg_force_feeds__call_loads'), combine_parts=true) }}
)

select
    area_code,
    line,
    last_day(received_at)::date                                      as period_end,
    received_at,
    answered_at,
    ended_at,
    outcome,
    call_back_at,
    answer_target_seconds,
    -- time in the queue before a handler answered (answered calls only), on the instants the times
    -- stand for: a time sent with an offset is exact (_<col>_utc); a local one is read by the rule,
    -- since across a clock change the wall clock is an hour out (macro london_seconds_between)
    case when answered_at is not null
         then {{ london_seconds_between('received_at', 'answered_at', '_received_at_utc', '_answered_at_utc') }}
    end as wait_seconds,
    _vintage                                                         as vintage,
    _load_id                                                         as load_id,
    _is_sample                                                       as is_sample
from source
