"""Small reads through the Python MLflow client, printed as one JSON line (the harness's cross-checks).

usage: mlflow_peer.py TRACKING_URI artifacts RUN_ID DEST_DIR   -> {"files": {relative path: size}}
       mlflow_peer.py TRACKING_URI alias MODEL ALIAS          -> {"version": "3", "run_id": "..."}
       mlflow_peer.py TRACKING_URI search EXPERIMENT FILTER ORDER_BY -> {"run_names": [...]}
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
else:
    sys.exit("unknown command " + command)
