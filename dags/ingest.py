"""One ingest DAG per source domain: ``ingest_<domain>``, at that source's cadence.

Each run loads every new file of the domain (bundled snapshots and whatever has landed in
``var/landing/<raw table>/<date>/``) into raw and runs the Great Expectations gate; on success it emits
the asset ``raw_<domain>``, which wakes ``transform_publish``. Which raw tables a domain has is read
from the source contracts at run time, so a new contract needs no DAG change. A backfill run
(``airflow backfill create``) loads only the files that landed within its data interval.
"""

from airflow.sdk import Asset, CronDataIntervalTimetable, dag, task

from warehouse.orchestrate.tasks import START, WRITER, asset_name, asset_uri, default_args, domains


def ingest_dag(domain: str, cron: str, why: str):
    raw = Asset(name=asset_name(domain), uri=asset_uri(domain), group="pcp")

    @dag(
        dag_id=f"ingest_{domain}",
        # data intervals (not trigger times) so that a backfill run knows which landing dates it covers
        schedule=CronDataIntervalTimetable(cron, timezone="UTC"),
        start_date=START,
        catchup=False,
        max_active_runs=1,
        tags=["pcp", "ingest", domain],
        default_args=default_args(),
        doc_md=f"## ingest_{domain}\n\nSchedule: {why}.\n\n{__doc__}",
    )
    def ingest():
        @task(**WRITER, outlets=[raw])
        def load_and_validate(
            dag_run=None, data_interval_start=None, data_interval_end=None, outlet_events=None
        ) -> dict:
            from warehouse.orchestrate import tasks

            backfill = str(getattr(dag_run.run_type, "value", dag_run.run_type)) == "backfill"
            summary = tasks.ingest(
                domain,
                landed_from=data_interval_start if backfill else None,
                landed_to=data_interval_end if backfill else None,
            )
            outlet_events[raw].extra = {"new_load_ids": summary["new_load_ids"]}
            return summary

        load_and_validate()

    return ingest()


for _domain in domains().values():
    globals()[f"ingest_{_domain.name}"] = ingest_dag(_domain.name, _domain.cron, _domain.why)
