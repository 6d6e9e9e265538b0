"""${{ values.name }}: trains ${{ values.modelName }} on Prefect.

Every stage is a Prefect task that logs to the MLOps tracking API, so a run
of this flow appears in Backstage as a run of the ${{ values.modelName }}
experiment with one nested run per stage.
"""

import sys
from pathlib import Path

import mlflow
from prefect import flow, get_run_logger, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import tracking  # noqa: E402


@task(retries=2, retry_delay_seconds=60)
def ingest(parent_run_id):
    with tracking.stage_run("ingest", parent_run_id, source="warehouse"):
        # Replace with the real extract; keep the row count metric.
        rows = 10_000
        mlflow.log_metric("rows", rows)
        return rows


@task
def validate(parent_run_id, rows):
    with tracking.stage_run("validate", parent_run_id):
        missing_ratio = 0.0
        mlflow.log_metric("missing_ratio", missing_ratio)
        if rows == 0:
            raise ValueError("No training data: refusing to train on nothing")
        return rows


@task
def train(parent_run_id, rows):
    with tracking.stage_run(
        "train", parent_run_id, algorithm="gradient_boosting", max_depth=6
    ):
        train_loss = 0.21
        mlflow.log_metric("train_loss", train_loss)
        return {"train_loss": train_loss}


@task
def evaluate(parent_run_id, trained):
    with tracking.stage_run("evaluate", parent_run_id):
        metrics = {"accuracy": 0.91, "f1": 0.88}
        mlflow.log_metrics(metrics)
        return metrics


@task
def register(parent_run_id, metrics):
    with tracking.stage_run("register", parent_run_id):
        # A real pipeline logs the model artifact and registers a version of
        # tracking.MODEL here; the version then links back to this run.
        mlflow.set_tag("mlops.model", tracking.MODEL)
        mlflow.log_metric("registered", 1)


@flow(name="${{ values.name }}")
def ${{ values.name | replace("-", "_") }}():
    logger = get_run_logger()
    tracking.configure()
    with mlflow.start_run(
        run_name="${{ values.name }}", tags={"mlops.pipeline": tracking.PIPELINE}
    ) as parent:
        parent_id = parent.info.run_id
        rows = ingest(parent_id)
        rows = validate(parent_id, rows)
        trained = train(parent_id, rows)
        metrics = evaluate(parent_id, trained)
        register(parent_id, metrics)
        mlflow.log_metrics(metrics)
        logger.info("Run %s logged to experiment %s", parent_id, tracking.EXPERIMENT)


if __name__ == "__main__":
    ${{ values.name | replace("-", "_") }}()
