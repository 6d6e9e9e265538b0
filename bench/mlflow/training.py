"""A training script as a data scientist writes it, timed from the client.

20 epochs of 50 metrics each (one log_metrics call per epoch, which MLflow's
client sends as one log-batch), 2 artifacts and a logged scikit-learn model,
then the model registered and loaded back by alias. MLFLOW_TRACKING_URI
points at the portal's MLflow endpoint (bench.ts sets it).
"""
import os
import statistics
import tempfile
import time

import mlflow
import numpy as np
from sklearn.linear_model import Ridge

EPOCHS, METRICS = 20, 50
timings = {}


def timed(name):
    def wrap(fn):
        start = time.perf_counter()
        result = fn()
        timings[name] = (time.perf_counter() - start) * 1000
        return result
    return wrap


rng = np.random.default_rng(0)
X, y = rng.normal(size=(500, 8)), rng.normal(size=500)
mlflow.set_experiment(f"bench-training-{int(time.time())}")
total = time.perf_counter()
with mlflow.start_run(run_name="bench: ridge (20x50)") as run:
    mlflow.log_params({"alpha": 0.5, "epochs": EPOCHS})
    epoch_ms = []
    for epoch in range(EPOCHS):
        start = time.perf_counter()
        mlflow.log_metrics({f"m{i}": float(rng.random()) for i in range(METRICS)}, step=epoch)
        epoch_ms.append((time.perf_counter() - start) * 1000)
    folder = tempfile.mkdtemp()
    with open(os.path.join(folder, "report.txt"), "w") as f:
        f.write("loss went down\n" * 1000)
    timed("log_artifact (15 kB text)")(lambda: mlflow.log_artifact(os.path.join(folder, "report.txt")))
    timed("log_dict (config.json)")(lambda: mlflow.log_dict({"alpha": 0.5, "layers": [8, 1]}, "config.json"))
    model = Ridge(alpha=0.5).fit(X, y)
    info = timed("sklearn.log_model")(lambda: mlflow.sklearn.log_model(model, "model"))
timings["whole run (start to end)"] = (time.perf_counter() - total) * 1000
name = f"bench-ridge-{int(time.time())}"
version = timed("register_model")(lambda: mlflow.register_model(info.model_uri, name))
client = mlflow.MlflowClient()
client.set_registered_model_alias(name, "champion", version.version)
loaded = timed("load_model by alias")(lambda: mlflow.pyfunc.load_model(f"models:/{name}@champion"))
assert len(loaded.predict(X[:3])) == 3

print(f"log_metrics, {METRICS} metrics an epoch: median {statistics.median(epoch_ms):.1f} ms, "
      f"max {max(epoch_ms):.1f} ms, {EPOCHS} epochs {sum(epoch_ms):.0f} ms")
for key, value in timings.items():
    print(f"{key}: {value:.0f} ms")
stored = client.get_run(run.info.run_id)
assert len(stored.data.metrics) == METRICS
assert len(client.get_metric_history(run.info.run_id, "m0")) == EPOCHS
print(f"checked: {len(stored.data.metrics)} metrics with {EPOCHS} steps each, "
      f"artifacts {sorted(a.path for a in client.list_artifacts(run.info.run_id))}")
