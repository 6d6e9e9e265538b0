"""MLflow 3's quickstart as its documentation gives it: scikit-learn autolog,
the model logged with `log_model(name=...)` (a LoggedModel on 3.x), registered,
given an alias and loaded back by `models:/<name>@<alias>`, then autolog
logging the model itself. On 2.x the same script logs with `artifact_path=`
and skips what only 3.x has (logged models)."""
import mlflow
import mlflow.sklearn
from mlflow import MlflowClient
from sklearn.datasets import load_iris
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split

NAME = "autolog-iris"


def set_experiment(ctx):
    mlflow.set_experiment("MLflow Autolog Quickstart")
    X, y = load_iris(return_X_y=True, as_frame=True)
    ctx["X_train"], ctx["X_test"], ctx["y_train"], ctx["y_test"] = train_test_split(
        X, y, random_state=0
    )


def autolog_fit(ctx):
    mlflow.sklearn.autolog(log_models=False)
    with mlflow.start_run() as run:
        clf = RandomForestClassifier(n_estimators=10, max_depth=3, random_state=0)
        clf.fit(ctx["X_train"], ctx["y_train"])
        mlflow.log_metric("test_acc", clf.score(ctx["X_test"], ctx["y_test"]))
    mlflow.sklearn.autolog(disable=True)
    ctx.update(clf=clf, run_id=run.info.run_id)
    logged = MlflowClient().get_run(run.info.run_id)
    assert logged.data.params["n_estimators"] == "10", logged.data.params
    assert "training_accuracy_score" in logged.data.metrics, logged.data.metrics
    assert "test_acc" in logged.data.metrics, logged.data.metrics


def log_model(ctx):
    where = {"name": "model"} if ctx["major"] >= 3 else {"artifact_path": "model"}
    with mlflow.start_run(run_id=ctx["run_id"]):
        ctx["info"] = mlflow.sklearn.log_model(
            ctx["clf"], input_example=ctx["X_test"].iloc[:2], **where
        )
    if ctx["major"] >= 3:
        model = mlflow.get_logged_model(ctx["info"].model_id)
        assert str(model.status) in ("READY", "LoggedModelStatus.READY"), model.status
        assert model.source_run_id == ctx["run_id"], model.source_run_id


def register_model(ctx):
    version = mlflow.register_model(ctx["info"].model_uri, NAME)
    assert version.version == "1", version
    assert version.status == "READY", version.status


def set_alias(ctx):
    c = MlflowClient()
    c.set_registered_model_alias(NAME, "champion", "1")
    assert c.get_model_version_by_alias(NAME, "champion").version == "1"


def load_model_by_alias(ctx):
    expected = list(ctx["clf"].predict(ctx["X_test"].iloc[:3]))
    model = mlflow.pyfunc.load_model(f"models:/{NAME}@champion")
    assert list(model.predict(ctx["X_test"].iloc[:3])) == expected
    sk = mlflow.sklearn.load_model(f"models:/{NAME}@champion")
    assert list(sk.predict(ctx["X_test"].iloc[:3])) == expected


def autolog_logs_the_model(ctx):
    mlflow.sklearn.autolog()
    with mlflow.start_run() as run:
        RandomForestClassifier(n_estimators=3, max_depth=2, random_state=0).fit(
            ctx["X_train"], ctx["y_train"]
        )
    mlflow.sklearn.autolog(disable=True)
    if ctx["major"] >= 3:
        models = mlflow.search_logged_models(
            filter_string=f"source_run_id = '{run.info.run_id}'", output_format="list"
        )
        assert [m.name for m in models] == ["model"], models
    else:
        files = [f.path for f in MlflowClient().list_artifacts(run.info.run_id)]
        assert "model" in files, files


STEPS = [
    set_experiment,
    autolog_fit,
    log_model,
    register_model,
    set_alias,
    load_model_by_alias,
    autolog_logs_the_model,
]
