"""Gate, dbt build and publish: whenever any ingest emits its asset, and daily as a backstop.

Asset events coalesce: one run may follow several ingests (or none, for the daily run). The run
therefore processes everything accepted since the published high-water mark (the highest load_id
in the published version), never "the file behind this event"; with nothing new it publishes
nothing. The new high-water mark is logged and returned (XCom).
"""

from airflow.sdk import Asset, AssetAny, AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from warehouse.orchestrate.tasks import BACKSTOP_CRON, START, WRITER, asset_name, asset_uri, default_args, domains

RAW_ASSETS = [Asset(name=asset_name(d), uri=asset_uri(d), group="pcp") for d in domains()]


@dag(
    dag_id="transform_publish",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(BACKSTOP_CRON, timezone="UTC"), assets=AssetAny(*RAW_ASSETS)
    ),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    tags=["pcp", "transform", "publish"],
    default_args=default_args(),
    doc_md=__doc__,
)
def transform_publish():
    @task(**WRITER)
    def dbt_build_and_publish(triggering_asset_events=None) -> dict:
        from warehouse.orchestrate import tasks

        return tasks.transform_and_publish(triggering_asset_events)

    dbt_build_and_publish()


transform_publish()
