"""${{ values.name }}: trains ${{ values.modelName }} on Airflow.

Every stage is a task that logs to the MLOps tracking API, so a DAG run
appears in Backstage as a run of the ${{ values.modelName }} experiment with
one nested run per stage. The pipeline run id travels between tasks in XCom.
"""

import sys
from pathlib import Path

import mlflow
import pendulum
from airflow.decorators import dag, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import tracking  # noqa: E402


@dag(
    dag_id="${{ values.name | replace("-", "_") }}",
    schedule="${{ values.schedule }}",
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["ml", "${{ values.modelName }}"],
    default_args={"retries": 2},
)
def ${{ values.name | replace("-", "_") }}():
    @task
    def start():
        tracking.configure()
        run = mlflow.start_run(
            run_name="${{ values.name }}", tags={"mlops.pipeline": tracking.PIPELINE}
        )
        mlflow.end_run()
        return run.info.run_id

    @task
    def ingest(parent_run_id):
        tracking.configure()
        with tracking.stage_run("ingest", parent_run_id, source="warehouse"):
            rows = 10_000
            mlflow.log_metric("rows", rows)
            return rows

    @task
    def validate(parent_run_id, rows):
        tracking.configure()
        with tracking.stage_run("validate", parent_run_id):
            mlflow.log_metric("missing_ratio", 0.0)
            if rows == 0:
                raise ValueError("No training data: refusing to train on nothing")
            return rows

    @task
    def train(parent_run_id, rows):
        tracking.configure()
        with tracking.stage_run(
            "train", parent_run_id, algorithm="gradient_boosting", max_depth=6
        ):
            mlflow.log_metric("train_loss", 0.21)

    @task
    def evaluate(parent_run_id):
        tracking.configure()
        with tracking.stage_run("evaluate", parent_run_id):
            metrics = {"accuracy": 0.91, "f1": 0.88}
            mlflow.log_metrics(metrics)
            return metrics

    @task
    def register(parent_run_id, metrics):
        tracking.configure()
        with tracking.stage_run("register", parent_run_id):
            mlflow.set_tag("mlops.model", tracking.MODEL)
            mlflow.log_metric("registered", 1)
        with mlflow.start_run(run_id=parent_run_id):
            mlflow.log_metrics(metrics)

    parent = start()
    rows = validate(parent, ingest(parent))
    trained = train(parent, rows)
    metrics = evaluate(parent)
    trained >> metrics
    register(parent, metrics)


${{ values.name | replace("-", "_") }}()
