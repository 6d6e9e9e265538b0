"""An MlflowClient tour: experiments, runs and the registry through the
low-level client, with the search grammar, tags, rename and delete."""
import time

from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag
from mlflow.exceptions import MlflowException

c = MlflowClient()


def expect_error(code, call):
    try:
        call()
    except MlflowException as error:
        assert error.error_code == code, (error.error_code, str(error))
        return
    raise AssertionError(f"expected {code}")


def create_experiments(ctx):
    ctx["exp"] = c.create_experiment("tour-main", tags={"team": "risk-ml"})
    ctx["exp2"] = c.create_experiment("tour-side")
    c.set_experiment_tag(ctx["exp"], "stage", "dev")
    expect_error("RESOURCE_ALREADY_EXISTS", lambda: c.create_experiment("tour-main"))


def search_experiments(ctx):
    like = c.search_experiments(filter_string="name LIKE 'tour-%'", order_by=["name DESC"])
    assert [e.name for e in like] == ["tour-side", "tour-main"], like
    tagged = c.search_experiments(filter_string="tags.team = 'risk-ml' and name LIKE 'tour-%'")
    assert [e.name for e in tagged] == ["tour-main"], tagged
    page = c.search_experiments(filter_string="name LIKE 'tour-%'", max_results=1, order_by=["name"])
    assert len(page) == 1 and page.token, page
    rest = c.search_experiments(
        filter_string="name LIKE 'tour-%'", max_results=1, order_by=["name"], page_token=page.token
    )
    assert [e.name for e in rest] == ["tour-side"], rest


def create_runs(ctx):
    t = int(time.time() * 1000)
    ctx["runs"] = {}
    for i, name in enumerate(["tour-a", "tour-b", "tour-c"]):
        run = c.create_run(ctx["exp"], run_name=name, start_time=t + i, tags={"idx": str(i)})
        ctx["runs"][name] = run.info.run_id
        c.log_batch(
            run.info.run_id,
            metrics=[Metric("auc", 0.7 + i / 10, t, 0), Metric("auc", 0.75 + i / 10, t, 1)],
            params=[Param("model", ["tree", "forest", "linear"][i])],
            tags=[RunTag("owner", ["ana", "bo", "cy"][i])],
        )
    assert c.get_run(ctx["runs"]["tour-a"]).info.run_name == "tour-a"


def tags_on_runs(ctx):
    a = ctx["runs"]["tour-a"]
    c.set_tag(a, "reviewed", "yes")
    c.delete_tag(a, "reviewed")
    assert "reviewed" not in c.get_run(a).data.tags
    expect_error("RESOURCE_DOES_NOT_EXIST", lambda: c.delete_tag(a, "reviewed"))


def changed_param_is_refused(ctx):
    expect_error("INVALID_PARAMETER_VALUE", lambda: c.log_param(ctx["runs"]["tour-a"], "model", "gbm"))


def search_runs_grammar(ctx):
    names = lambda runs: [r.info.run_name for r in runs]  # noqa: E731
    exp = [ctx["exp"]]
    assert names(c.search_runs(exp, "params.model LIKE 'f%'")) == ["tour-b"]
    assert names(c.search_runs(exp, "tags.owner ILIKE 'ANA'")) == ["tour-a"]
    assert names(c.search_runs(exp, "tags.owner LIKE 'ANA'")) == []
    assert names(c.search_runs(exp, "metrics.auc >= 0.85", order_by=["metrics.auc DESC"])) == [
        "tour-c",
        "tour-b",
    ]
    ids = ", ".join(f"'{ctx['runs'][n]}'" for n in ["tour-a", "tour-c"])
    assert sorted(names(c.search_runs(exp, f"attributes.run_id IN ({ids})"))) == ["tour-a", "tour-c"]
    assert names(c.search_runs(exp, "attributes.run_name = 'tour-b'")) == ["tour-b"]
    assert names(c.search_runs(exp, "tags.mlflow.runName = 'tour-c'")) == ["tour-c"]
    assert names(c.search_runs(exp, "", order_by=["tags.owner DESC", "attributes.start_time DESC"])) == [
        "tour-c",
        "tour-b",
        "tour-a",
    ]


def search_runs_pages(ctx):
    seen, token = [], None
    while True:
        page = c.search_runs([ctx["exp"]], "", max_results=1, order_by=["params.model ASC"], page_token=token)
        seen += [r.info.run_name for r in page]
        token = page.token
        if not token or len(seen) > 5:
            break
    assert seen == ["tour-b", "tour-c", "tour-a"], seen


def metric_history_and_update(ctx):
    b = ctx["runs"]["tour-b"]
    history = c.get_metric_history(b, "auc")
    assert [(m.step, round(m.value, 9)) for m in history] == [(0, 0.8), (1, 0.85)], history
    c.update_run(b, status="FINISHED", name="tour-b-final")
    run = c.get_run(b)
    assert run.info.status == "FINISHED" and run.info.run_name == "tour-b-final", run.info


def delete_and_restore_run(ctx):
    c_id = ctx["runs"]["tour-c"]
    c.delete_run(c_id)
    deleted = c.search_runs([ctx["exp"]], "", run_view_type=2)  # DELETED_ONLY
    assert [r.info.run_id for r in deleted] == [c_id], deleted
    c.restore_run(c_id)
    assert c.get_run(c_id).info.lifecycle_stage == "active"


def registry_models_and_tags(ctx):
    c.create_registered_model("tour-model", tags={"team": "risk-ml"}, description="tour")
    c.create_registered_model("tour-other")
    c.set_registered_model_tag("tour-model", "tier", "gold")
    c.delete_registered_model_tag("tour-model", "team")
    model = c.get_registered_model("tour-model")
    assert model.tags == {"tier": "gold"}, model.tags


def registry_versions_and_tags(ctx):
    a = ctx["runs"]["tour-a"]
    for _ in range(3):
        c.create_model_version("tour-model", f"runs:/{a}/model", run_id=a)
    c.set_model_version_tag("tour-model", "1", "validated", "yes")
    c.set_model_version_tag("tour-model", "2", "tmp", "x")
    c.delete_model_version_tag("tour-model", "2", "tmp")
    assert c.get_model_version("tour-model", "1").tags == {"validated": "yes"}
    assert c.get_model_version("tour-model", "2").tags == {}


def search_registry(ctx):
    assert [m.name for m in c.search_registered_models("name LIKE 'tour-%'")] == ["tour-model", "tour-other"]
    assert [m.name for m in c.search_registered_models("tags.tier = 'gold'")] == ["tour-model"]
    assert [m.name for m in c.search_registered_models("name = 'tour-other'")] == ["tour-other"]
    versions = c.search_model_versions(f"run_id = '{ctx['runs']['tour-a']}'")
    assert sorted(v.version for v in versions) == ["1", "2", "3"], versions
    assert [v.version for v in c.search_model_versions("name = 'tour-model' and tags.validated = 'yes'")] == ["1"]


def aliases_and_stages(ctx):
    c.set_registered_model_alias("tour-model", "champion", "3")
    c.transition_model_version_stage("tour-model", "1", "Production")
    c.transition_model_version_stage("tour-model", "2", "Staging")
    assert c.get_model_version_by_alias("tour-model", "champion").version == "3"


def rename_model(ctx):
    c.rename_registered_model("tour-model", "tour-model-v2")
    assert c.get_model_version_by_alias("tour-model-v2", "champion").version == "3"
    expect_error("RESOURCE_DOES_NOT_EXIST", lambda: c.get_registered_model("tour-model"))


def delete_staging_version(ctx):
    c.delete_model_version("tour-model-v2", "2")
    expect_error("RESOURCE_DOES_NOT_EXIST", lambda: c.get_model_version("tour-model-v2", "2"))


def delete_model(ctx):
    c.delete_registered_model("tour-other")
    expect_error("RESOURCE_DOES_NOT_EXIST", lambda: c.get_registered_model("tour-other"))


def log_inputs_dataset(ctx):
    import mlflow.data
    import pandas as pd
    from mlflow.entities import DatasetInput, InputTag

    frame = pd.DataFrame({"age": [31, 45, 27], "tenure": [2, 10, 1], "churn": [0, 1, 0]})
    dataset = mlflow.data.from_pandas(
        frame, source="https://example.com/churn.csv", name="churn-train", targets="churn"
    )
    a = ctx["runs"]["tour-a"]
    c.log_inputs(a, [DatasetInput(dataset._to_mlflow_entity(), [InputTag("mlflow.data.context", "training")])])
    inputs = c.get_run(a).inputs.dataset_inputs
    assert [(i.dataset.name, i.dataset.digest) for i in inputs] == [("churn-train", dataset.digest)], inputs
    assert [(t.key, t.value) for t in inputs[0].tags] == [("mlflow.data.context", "training")], inputs


def logged_models(ctx):
    if ctx["major"] < 3:
        return  # logged models are MLflow 3's
    from mlflow.entities import LoggedModelInput, LoggedModelStatus

    exp, a = ctx["exp"], ctx["runs"]["tour-a"]
    model = c.create_logged_model(
        exp,
        name="tour-lm",
        source_run_id=a,
        tags={"team": "risk-ml"},
        params={"depth": "3"},
        model_type="classifier",
    )
    assert model.status == LoggedModelStatus.PENDING, model.status
    draft = c.create_logged_model(exp, name="tour-lm-draft")
    found = c.search_logged_models([exp], filter_string="name = 'tour-lm'")
    assert [m.model_id for m in found] == [model.model_id], found
    ready = c.finalize_logged_model(model.model_id, LoggedModelStatus.READY)
    assert ready.status == LoggedModelStatus.READY, ready.status
    c.set_logged_model_tags(model.model_id, {"stage": "candidate", "team": "ml-platform"})
    c.delete_logged_model_tag(model.model_id, "stage")
    got = c.get_logged_model(model.model_id)
    assert got.tags == {"team": "ml-platform"}, got.tags
    assert got.params == {"depth": "3"}, got.params
    assert (got.source_run_id, got.model_type, got.name) == (a, "classifier", "tour-lm"), got
    by_tag = c.search_logged_models([exp], filter_string="tags.team = 'ml-platform'")
    assert [m.model_id for m in by_tag] == [model.model_id], by_tag
    ordered = c.search_logged_models([exp], order_by=[{"field_name": "name", "ascending": False}])
    assert [m.name for m in ordered] == ["tour-lm-draft", "tour-lm"], ordered
    page = c.search_logged_models([exp], max_results=1, order_by=[{"field_name": "name"}])
    assert [m.name for m in page] == ["tour-lm"] and page.token, page
    rest = c.search_logged_models(
        [exp], max_results=1, order_by=[{"field_name": "name"}], page_token=page.token
    )
    assert [m.name for m in rest] == ["tour-lm-draft"], rest
    c.log_inputs(ctx["runs"]["tour-b"], models=[LoggedModelInput(model.model_id)])
    inputs = c.get_run(ctx["runs"]["tour-b"]).inputs
    assert [i.model_id for i in inputs.model_inputs] == [model.model_id], inputs
    c.delete_logged_model(draft.model_id)
    expect_error("RESOURCE_DOES_NOT_EXIST", lambda: c.get_logged_model(draft.model_id))
    left = c.search_logged_models([exp])
    assert [m.model_id for m in left] == [model.model_id], left


def search_registered_models_unfiltered(ctx):
    # MLflow 3's client adds tag.`mlflow.prompt.is_prompt` != 'true' itself.
    names = [m.name for m in c.search_registered_models()]
    assert "tour-model-v2" in names and "tour-other" not in names, names
    assert [m.name for m in c.search_registered_models("name = 'tour-model-v2'")] == ["tour-model-v2"]


STEPS = [
    create_experiments,
    search_experiments,
    create_runs,
    tags_on_runs,
    changed_param_is_refused,
    search_runs_grammar,
    search_runs_pages,
    metric_history_and_update,
    delete_and_restore_run,
    registry_models_and_tags,
    registry_versions_and_tags,
    search_registry,
    aliases_and_stages,
    rename_model,
    delete_staging_version,
    delete_model,
    log_inputs_dataset,
    logged_models,
    search_registered_models_unfiltered,
]
