"""Runs one client scenario step by step through the recording proxy.

    python3 run_scenario.py SCENARIO RECORDER_URL OUT_FILE TARGET_LABEL

MLflow's client is whatever `import mlflow` finds (PYTHONPATH); nothing here
installs it. Each scenario module in scenarios/ has STEPS, a list of
functions taking a shared dict; a step that raises fails and the scenario
goes on, so one recording says which client steps pass against a server.
"""
import importlib
import json
import os
import sys
import time
import traceback
import urllib.request

scenario, recorder, out_file, target = sys.argv[1:5]
os.environ["MLFLOW_TRACKING_URI"] = recorder
# A failing server call should fail the step, not retry for minutes.
os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "60")

import mlflow  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "scenarios"))
module = importlib.import_module(scenario)


def control(path, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(f"{recorder}/__recorder/{path}", data=data, method="POST")
    urllib.request.urlopen(request).read()


ctx = {"major": int(mlflow.__version__.split(".")[0]), "target": target}
results = []
for step in module.STEPS:
    name = step.__name__
    control(f"step?name={name}")
    started = time.time()
    try:
        step(ctx)
        verdict = {"ok": True}
    except Exception as error:  # noqa: BLE001 - a failed step is a result
        verdict = {
            "ok": False,
            "error": f"{type(error).__name__}: {error}"[:600],
            "where": traceback.format_exc().strip().splitlines()[-3:],
        }
    verdict["seconds"] = round(time.time() - started, 3)
    control("verdict", verdict)
    results.append((name, verdict["ok"]))
    print(f"{'PASS' if verdict['ok'] else 'FAIL'} {scenario}.{name}", flush=True)

control(
    f"save?file={out_file}",
    {
        "scenario": scenario,
        "target": target,
        "client": f"mlflow {mlflow.__version__}",
        "python": sys.version.split()[0],
    },
)
passed = sum(1 for _, ok in results if ok)
print(f"{scenario} against {target}: {passed} of {len(results)} client steps pass")
