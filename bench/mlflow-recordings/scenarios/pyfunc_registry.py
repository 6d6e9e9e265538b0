"""A custom pyfunc model: log it, register it, give it an alias and a stage,
and load it back by runs:/, version, alias, stage and latest."""
import mlflow
import pandas as pd
from mlflow import MlflowClient

NAME = "pyfunc-scorer"


class Scorer(mlflow.pyfunc.PythonModel):
    def predict(self, context, model_input, params=None):
        return model_input["x"] * 2 + 1


def log_pyfunc_model(ctx):
    mlflow.set_experiment("pyfunc-registry")
    with mlflow.start_run(run_name="scorer") as run:
        mlflow.log_param("kind", "linear")
        where = {"name": "model"} if ctx["major"] >= 3 else {"artifact_path": "model"}
        ctx["info"] = mlflow.pyfunc.log_model(
            python_model=Scorer(),
            input_example=pd.DataFrame({"x": [1.0, 2.0]}),
            **where,
        )
    ctx["run_id"] = run.info.run_id


def load_by_runs_uri(ctx):
    model = mlflow.pyfunc.load_model(f"runs:/{ctx['run_id']}/model")
    assert list(model.predict(pd.DataFrame({"x": [3.0]}))) == [7.0]


def register_model(ctx):
    version = mlflow.register_model(ctx["info"].model_uri, NAME)
    assert version.version == "1", version
    second = mlflow.register_model(ctx["info"].model_uri, NAME)
    assert second.version == "2", second


def set_alias(ctx):
    MlflowClient().set_registered_model_alias(NAME, "champion", "1")
    by_alias = MlflowClient().get_model_version_by_alias(NAME, "champion")
    assert by_alias.version == "1", by_alias


def load_by_version(ctx):
    model = mlflow.pyfunc.load_model(f"models:/{NAME}/1")
    assert list(model.predict(pd.DataFrame({"x": [0.0]}))) == [1.0]


def load_by_alias(ctx):
    model = mlflow.pyfunc.load_model(f"models:/{NAME}@champion")
    assert list(model.predict(pd.DataFrame({"x": [1.0]}))) == [3.0]


def transition_to_production(ctx):
    MlflowClient().transition_model_version_stage(NAME, "2", "Production")
    latest = MlflowClient().get_latest_versions(NAME, stages=["Production"])
    assert [v.version for v in latest] == ["2"], latest


def load_by_stage(ctx):
    model = mlflow.pyfunc.load_model(f"models:/{NAME}/Production")
    assert list(model.predict(pd.DataFrame({"x": [2.0]}))) == [5.0]


def load_latest(ctx):
    model = mlflow.pyfunc.load_model(f"models:/{NAME}/latest")
    assert list(model.predict(pd.DataFrame({"x": [4.0]}))) == [9.0]


STEPS = [
    log_pyfunc_model,
    load_by_runs_uri,
    register_model,
    set_alias,
    load_by_version,
    load_by_alias,
    transition_to_production,
    load_by_stage,
    load_latest,
]
