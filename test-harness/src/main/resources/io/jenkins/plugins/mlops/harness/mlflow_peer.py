"""Small reads through the Python MLflow client, printed as one JSON line (the harness's cross-checks).

usage: mlflow_peer.py TRACKING_URI artifacts RUN_ID DEST_DIR   -> {"files": {relative path: size}}
       mlflow_peer.py TRACKING_URI alias MODEL ALIAS          -> {"version": "3", "run_id": "..."}
       mlflow_peer.py TRACKING_URI search EXPERIMENT FILTER ORDER_BY -> {"run_names": [...]}
       mlflow_peer.py TRACKING_URI write EXPERIMENT_NAME      -> {"experiment_id", "run_id"} of a new run
"""
import json
import os
import sys

import mlflow
from mlflow import MlflowClient

tracking_uri, command = sys.argv[1], sys.argv[2]
mlflow.set_tracking_uri(tracking_uri)
client = MlflowClient(tracking_uri=tracking_uri)

if command == "artifacts":
    run_id, dest = sys.argv[3], sys.argv[4]
    local = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="", dst_path=dest)
    files = {}
    for root, _, names in os.walk(local):
        for name in names:
            path = os.path.join(root, name)
            files[os.path.relpath(path, local).replace(os.sep, "/")] = os.path.getsize(path)
    print(json.dumps({"files": files}))
elif command == "alias":
    version = client.get_model_version_by_alias(sys.argv[3], sys.argv[4])
    print(json.dumps({"version": version.version, "run_id": version.run_id, "source": version.source}))
elif command == "search":
    experiment_id, filter_string, order_by = sys.argv[3], sys.argv[4], sys.argv[5]
    runs = mlflow.search_runs(
        experiment_ids=[experiment_id],
        filter_string=filter_string,
        order_by=[order_by] if order_by else None,
        output_format="list",
    )
    print(json.dumps({"run_names": [r.info.run_name for r in runs]}))
elif command == "write":
    experiment_name = sys.argv[3]
    experiment_id = client.create_experiment(experiment_name)
    run = client.create_run(experiment_id, run_name="written-by-python", tags={"team": "vision"})
    client.log_param(run.info.run_id, "optimizer", "adam")
    for step in range(3):
        client.log_metric(run.info.run_id, "train/loss", 1.0 / (step + 1), timestamp=1000 + step, step=step)
    client.set_terminated(run.info.run_id, "FINISHED")
    print(json.dumps({"experiment_id": experiment_id, "run_id": run.info.run_id}))
else:
    sys.exit("unknown command " + command)
