{#
  The status rule, applied once: one row per milestone and reporting date (int_milestones__progress),
  with status, rag_status, status_date, the reason in words and the stale flag. The rule in plain
  words is the seed reference.status_rules (one place; docs/milestones.md and the packs read it);
  thresholds are the dbt vars in dbt_project.yml.

  Not measurable: no data can measure it, no data for the force, or no figure after the baseline
  (and every past achievement or panel question: recorded, not judged).
  At or after the deadline (the figure for the deadline: within half a reporting interval of it):
    met / met late (status_date: the first later figure that reaches the target) / missed /
    not known at deadline (no figure near enough: the reason quotes the figures either side).
  Before the deadline (or with none):
    direction only   special cause improving -> on track; concerning -> off track; common cause or
                     too few points for limits -> at risk (noise never changes the status)
    target met at the baseline (sustain): assurance consistently met -> on track, hit and miss ->
                     at risk, consistently missed -> off track
    other targets    reached, or the recent trend line (its value at the reporting date; the figure
                     itself with under 3 points) within milestone_rag_tolerance_pct points of the
                     straight line -> on track; behind but the recent trend reaches the target by the deadline ->
                     at risk; else off track
#}
{% set tol = var('milestone_rag_tolerance_pct') %}
{% set grace = var('milestone_stale_grace_days') | int %}

with p as (
    select * from {{ ref('int_milestones__progress') }}
),

judged as (
    select
        *,
        case
            when not measurable or metric_id is null or baseline_value is null then 'not measurable'
            when target_date is not null and reporting_date >= target_date then
                case
                    when deadline_date is null or deadline_date > reporting_date then 'not known at deadline'
                    when target_value is null and deadline_variation = 'special cause improving' then 'met'
                    when target_value is not null and deadline_met then 'met'
                    when met_late_date <= reporting_date then 'met late'
                    else 'missed'
                end
            when not has_data_after_baseline then 'not measurable'
            when target_value is null then
                case variation when 'special cause improving' then 'on track'
                               when 'special cause concerning' then 'off track'
                               else 'at risk' end
            when met_at_baseline then
                case assurance when 'consistently met' then 'on track'
                               when 'consistently missed' then 'off track'
                               when 'hit and miss' then 'at risk'
                               else case when target_reached then 'on track' else 'at risk' end end
            when target_reached then 'on track'
            when round(trend_progress_pct - expected_progress_pct, 4) >= -{{ tol }} then 'on track'
            when projected_date <= target_date then 'at risk'
            else 'off track'
        end                                                                  as status
    from p
),

explained as (
    select
        *,
        case status
            when 'on track' then 'green' when 'met' then 'green'
            when 'at risk' then 'amber' when 'met late' then 'amber'
            when 'off track' then 'red' when 'missed' then 'red'
            else 'not measurable'
        end                                                                  as rag_status,
        case status
            when 'met late' then met_late_date
            when 'met' then deadline_date
            when 'missed' then deadline_date
            when 'not measurable' then null
            when 'not known at deadline' then null
            else reporting_date
        end                                                                  as status_date,
        -- noqa: disable=LT05
        -- (the reason texts above and below are one line each, read as sentences)
        case
            when commitment_type <> 'commitment'
                then 'not judged: ' || commitment_type || ', not a commitment. ' || coalesce(data_needed, '')
            when not measurable or metric_id is null
                then 'not measurable yet: needs ' || coalesce(data_needed, 'a data source')
            when baseline_value is null
                then 'no data yet for ' || metric_id || ' in ' || area_name
            when status = 'not measurable' and not has_data_after_baseline
                then 'no data after the baseline (' || strftime(baseline_date, '%d %b %Y') || ') yet'
            when status = 'not known at deadline'
                then printf('no figure within %d days of the deadline (%s)', cadence_days // 2, strftime(target_date, '%d %b %Y'))
                     || coalesce(printf('; last before it: %g on %s', round(value_before_deadline, 2), strftime(last_before_deadline, '%d %b %Y')), '')
                     || coalesce(printf('; first after it: %g on %s', round(value_after_deadline, 2), strftime(first_after_deadline, '%d %b %Y')), '')
                     || case when target_value is not null and (target_value - value_after_deadline) * direction_sign <= 0
                             then ' (target reached after the deadline)' else '' end
            when status = 'met' and target_value is null
                then 'met: special-cause improvement at the deadline (' || strftime(deadline_date, '%d %b %Y') || ')'
            when status = 'met'
                then printf('met: %g at the deadline (figure for %s), target %g', round(deadline_value, 2), strftime(deadline_date, '%d %b %Y'), round(target_value, 2))
            when status = 'met late'
                then printf('met late: %g at the deadline (figure for %s) against a target of %g; first reached on %s',
                            round(deadline_value, 2), strftime(deadline_date, '%d %b %Y'), round(target_value, 2), strftime(met_late_date, '%d %b %Y'))
            when status = 'missed' and target_value is null
                then 'missed: deadline passed without special-cause improvement (figure for ' || strftime(deadline_date, '%d %b %Y') || ': ' || coalesce(deadline_variation, 'too few points for process limits') || ')'
            when status = 'missed'
                then printf('missed: deadline passed, target not reached (%g at the deadline, figure for %s; target %g)', round(deadline_value, 2), strftime(deadline_date, '%d %b %Y'), round(target_value, 2))
            when target_value is null and variation is null
                then printf('too few figures since %s for process limits (%d needed): no evidence of change yet', strftime(coalesce(trend_from, latest_date), '%d %b %Y'), {{ var('milestone_spc_min_points') | int }})
            when target_value is null
                then variation || coalesce(' (' || signal || ')', '') || ' against the baseline process'
            when met_at_baseline
                then 'target already met at the baseline; judged on assurance: ' || coalesce(assurance, 'too few points for process limits, latest figure ' || case when target_reached then 'meets' else 'misses' end || ' it')
            when target_reached then 'on track: target reached on ' || strftime(latest_date, '%d %b %Y') || ', before the deadline'
            when status = 'on track'
                then printf('on or ahead of the straight-line trajectory (trend line %.1f%% of the way, latest figure %.1f%%, %.1f%% expected, tolerance %s points)', trend_progress_pct, progress_pct, expected_progress_pct, '{{ tol }}')
            when status = 'at risk'
                then printf('behind trajectory (trend line %.1f%% of the way, %.1f%% expected) but the recent trend reaches the target by ', trend_progress_pct, expected_progress_pct) || strftime(projected_date, '%d %b %Y')
            when coalesce(slope_per_day * direction_sign, 0) <= 0
                then printf('behind trajectory (trend line %.1f%% of the way, %.1f%% expected) and the recent trend is flat or moving the wrong way', coalesce(trend_progress_pct, 0), expected_progress_pct)
            when projected_date is null
                then printf('behind trajectory (trend line %.1f%% of the way, %.1f%% expected) and the recent trend does not reach the target within 100 years', coalesce(trend_progress_pct, 0), expected_progress_pct)
            else printf('behind trajectory (trend line %.1f%% of the way, %.1f%% expected); the recent trend reaches the target only on ', trend_progress_pct, expected_progress_pct) || strftime(projected_date, '%d %b %Y')
        end                                                                  as status_reason,
        -- noqa: enable=LT05
        -- stale: the figure is older than its reporting interval plus the grace period, as at the
        -- day before the next figure (the build's as-at date for the latest row)
        latest_date + cast(cadence_days + {{ grace }} as integer)           as stale_after,
        coalesce(next_reporting_date - 1, {{ milestone_as_at() }})        as stale_checked_at
    from judged
)

select
    *,
    has_data_after_baseline and stale_checked_at > stale_after              as is_stale,
    case when has_data_after_baseline and stale_checked_at > stale_after
         then printf('latest figure %s, %d months old on %s (expected every %d days)',
                     strftime(latest_date, '%d %b %Y'), date_diff('month', latest_date, stale_checked_at),
                     strftime(stale_checked_at, '%d %b %Y'), cadence_days)
    end                                                                      as stale_note
from explained
