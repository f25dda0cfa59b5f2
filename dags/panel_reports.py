"""Panel reports: each force's milestone pack, a set number of days before each panel meeting.

Runs daily; the first task reads ``seeds/reference/panel_calendar.csv`` (meeting_date, days_before)
and picks the meetings whose papers are due that day, the second builds those packs from the
published warehouse (read-only, so not in the DuckDB writer pool) into ``var/reports/``.
Reading the calendar at run time, not parse time, means a calendar edit needs no DAG change.
"""

from airflow.sdk import dag, task

from warehouse.orchestrate.tasks import START, default_args


@dag(
    dag_id="panel_reports",
    schedule="0 7 * * *",
    start_date=START,
    catchup=False,
    max_active_runs=1,
    tags=["pcp", "reports"],
    default_args=default_args(),
    doc_md=__doc__,
)
def panel_reports():
    @task
    def papers_due(logical_date=None) -> list[dict]:
        import datetime as dt

        from warehouse.orchestrate import tasks

        return tasks.papers_due((logical_date or dt.datetime.now(dt.UTC)).date())

    @task
    def build_packs(due: list[dict], logical_date=None) -> list[str]:
        import datetime as dt

        from warehouse.orchestrate import tasks

        return tasks.build_reports(due, (logical_date or dt.datetime.now(dt.UTC)).date())

    build_packs(papers_due())


panel_reports()
