"""Logging to the MLOps tracking API, shared by every stage.

The tracking API speaks MLflow's REST protocol, so the MLflow client does
the work: MLFLOW_TRACKING_URI points it at Backstage and
MLFLOW_TRACKING_TOKEN carries the access token.
"""

import contextlib
import os

import mlflow

EXPERIMENT = "${{ values.modelName }}"
MODEL = "${{ values.modelName }}"
PIPELINE = "${{ values.name }}"


def configure():
    """Points the MLflow client at the tracking API and the experiment."""
    if "MLFLOW_TRACKING_URI" not in os.environ:
        raise RuntimeError(
            "Set MLFLOW_TRACKING_URI to the MLOps tracking API, "
            "e.g. https://backstage.example.com/api/mlops/mlflow"
        )
    mlflow.set_experiment(EXPERIMENT)


@contextlib.contextmanager
def stage_run(stage, parent_run_id=None, **params):
    """A run for one stage, nested under the pipeline run when there is one.

    The stage name goes into the run's tags so the MLOps pipeline view can
    tell the stages apart; params are logged once, as MLflow requires.
    """
    tags = {"mlops.pipeline": PIPELINE, "mlops.stage": stage}
    if parent_run_id:
        tags["mlflow.parentRunId"] = parent_run_id
    with mlflow.start_run(run_name=f"{PIPELINE}:{stage}", tags=tags) as run:
        if params:
            mlflow.log_params(params)
        yield run
