"""A fluent training script: an experiment with tags, a parent run with
nested runs per learning rate, metrics per epoch, batch logging, a dict and
a text artifact, autolog of a scikit-learn fit, and the pandas search."""
import mlflow
import numpy as np
from sklearn.linear_model import Ridge

EXPERIMENT = "fluent-training"


def set_experiment_with_tags(ctx):
    experiment = mlflow.set_experiment(EXPERIMENT)
    mlflow.set_experiment_tags({"team": "risk-ml", "project": "churn"})
    ctx["experiment_id"] = experiment.experiment_id


def parent_run(ctx):
    ctx["parent"] = mlflow.start_run(run_name="sweep")
    mlflow.log_param("model", "ridge")


def nested_runs_with_epochs(ctx):
    ctx["children"] = []
    for lr in (0.1, 0.01):
        with mlflow.start_run(run_name=f"lr-{lr}", nested=True) as child:
            mlflow.log_params({"lr": lr, "epochs": 5})
            for epoch in range(5):
                mlflow.log_metric("loss", 1.0 / (epoch + 1) + lr, step=epoch)
            mlflow.log_metrics({"val_loss": 0.5 + lr, "val_acc": 0.9 - lr})
            mlflow.set_tags({"phase": "sweep", "lr": str(lr)})
            ctx["children"].append(child.info.run_id)


def log_dict_and_text(ctx):
    mlflow.log_dict({"features": ["age", "tenure"], "target": "churn"}, "config/features.json")
    mlflow.log_text("trained on 2026-12 data\n", "notes.txt")


def autolog_fit(ctx):
    mlflow.sklearn.autolog(log_models=False)
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = X[:, 0] * 0.5 + X[:, 1]
    with mlflow.start_run(run_name="autolog-ridge", nested=True) as run:
        Ridge(alpha=0.5).fit(X, y)
    mlflow.sklearn.autolog(disable=True)
    autologged = mlflow.get_run(run.info.run_id)
    assert autologged.data.params.get("alpha") == "0.5", autologged.data.params
    assert "training_score" in autologged.data.metrics, autologged.data.metrics


def end_parent(ctx):
    mlflow.end_run()


def search_runs_dataframe(ctx):
    df = mlflow.search_runs(
        experiment_ids=[ctx["experiment_id"]],
        filter_string="params.lr = '0.01' and metrics.val_loss < 1",
        order_by=["metrics.val_loss ASC"],
    )
    assert list(df["tags.mlflow.runName"]) == ["lr-0.01"], df.to_dict()


def search_nested_by_parent(ctx):
    runs = mlflow.search_runs(
        experiment_ids=[ctx["experiment_id"]],
        filter_string=f"tags.mlflow.parentRunId = '{ctx['parent'].info.run_id}'",
        output_format="list",
    )
    assert len(runs) == 3, [r.info.run_name for r in runs]


def metric_history(ctx):
    history = mlflow.MlflowClient().get_metric_history(ctx["children"][0], "loss")
    assert [m.step for m in history] == [0, 1, 2, 3, 4], history


def list_artifacts(ctx):
    files = {f.path for f in mlflow.MlflowClient().list_artifacts(ctx["parent"].info.run_id)}
    assert {"config", "notes.txt"} <= files, files


STEPS = [
    set_experiment_with_tags,
    parent_run,
    nested_runs_with_epochs,
    log_dict_and_text,
    autolog_fit,
    end_parent,
    search_runs_dataframe,
    search_nested_by_parent,
    metric_history,
    list_artifacts,
]
