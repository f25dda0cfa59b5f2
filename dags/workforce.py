"""Workforce, end to end in one run (the walking skeleton): load + validate, then dbt build + publish.

Run by hand (``airflow dags trigger workforce`` or the UI). Scheduled work goes through
``ingest_workforce`` and ``transform_publish``; both paths call the same ``warehouse`` functions.
"""

from airflow.sdk import dag, task

from warehouse.orchestrate.tasks import START, WRITER, default_args


@dag(
    dag_id="workforce",
    schedule=None,
    start_date=START,
    catchup=False,
    max_active_runs=1,
    tags=["pcp", "workforce", "skeleton"],
    default_args=default_args(),
    doc_md=__doc__,
)
def workforce():
    @task(**WRITER)
    def load_and_validate() -> dict:
        """Load every new Home Office workforce file into raw and run its Great Expectations gate."""
        from warehouse.orchestrate import tasks

        return tasks.ingest("workforce")

    @task(**WRITER)
    def dbt_build_and_publish() -> dict:
        """dbt build on the working file, then publish it atomically as var/warehouse.duckdb."""
        from warehouse.orchestrate import tasks

        return tasks.transform_and_publish()

    load_and_validate() >> dbt_build_and_publish()


workforce()
