"""MLflow's tracking quickstart, as its documentation gives it: train a
logistic regression on iris, log params, a metric, a tag and the model
(registered), then load the model back and predict."""
import mlflow
from mlflow.models import infer_signature
from sklearn import datasets
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

PARAMS = {"solver": "lbfgs", "max_iter": 200, "multi_class": "auto", "random_state": 8888}


def set_experiment(ctx):
    mlflow.set_experiment("MLflow Quickstart")


def train(ctx):
    X, y = datasets.load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    lr = LogisticRegression(**PARAMS).fit(X_train, y_train)
    ctx.update(lr=lr, X_train=X_train, X_test=X_test, y_test=y_test)
    ctx["accuracy"] = accuracy_score(y_test, lr.predict(X_test))


def start_run_and_log_params(ctx):
    ctx["run"] = mlflow.start_run()
    mlflow.log_params(PARAMS)


def log_metric(ctx):
    mlflow.log_metric("accuracy", ctx["accuracy"])


def set_tag(ctx):
    mlflow.set_tag("Training Info", "Basic LR model for iris data")


def log_and_register_model(ctx):
    signature = infer_signature(ctx["X_train"], ctx["lr"].predict(ctx["X_train"]))
    where = {"name": "iris_model"} if ctx["major"] >= 3 else {"artifact_path": "iris_model"}
    ctx["model_info"] = mlflow.sklearn.log_model(
        sk_model=ctx["lr"],
        signature=signature,
        input_example=ctx["X_train"],
        registered_model_name="tracking-quickstart",
        **where,
    )


def end_run(ctx):
    mlflow.end_run()


def load_model_and_predict(ctx):
    loaded = mlflow.pyfunc.load_model(ctx["model_info"].model_uri)
    predictions = loaded.predict(ctx["X_test"])
    assert len(predictions) == len(ctx["y_test"])


def run_shows_what_was_logged(ctx):
    run = mlflow.get_run(ctx["run"].info.run_id)
    assert run.data.params["solver"] == "lbfgs", run.data.params
    assert abs(run.data.metrics["accuracy"] - ctx["accuracy"]) < 1e-12
    assert run.data.tags["Training Info"] == "Basic LR model for iris data"
    assert run.info.status == "FINISHED", run.info.status


STEPS = [
    set_experiment,
    train,
    start_run_and_log_params,
    log_metric,
    set_tag,
    log_and_register_model,
    end_run,
    load_model_and_predict,
    run_shows_what_was_logged,
]
