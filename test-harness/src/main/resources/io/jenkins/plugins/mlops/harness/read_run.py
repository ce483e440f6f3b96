"""Reads one MLflow run through the Python client and prints it as JSON (the harness's cross-check)."""
import json
import sys

from mlflow import MlflowClient

tracking_uri, run_id = sys.argv[1], sys.argv[2]
client = MlflowClient(tracking_uri=tracking_uri)
run = client.get_run(run_id)
def number(value):
    # JSON has no NaN or infinities: send them as the strings MLflow's REST API uses.
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return value


history = {
    key: [{"step": m.step, "value": number(m.value), "timestamp": m.timestamp}
          for m in sorted(client.get_metric_history(run_id, key), key=lambda m: m.step)]
    for key in run.data.metrics
}
print(json.dumps({
    "run_id": run.info.run_id,
    "experiment_id": run.info.experiment_id,
    "run_name": run.info.run_name,
    "status": run.info.status,
    "end_time": run.info.end_time,
    "params": run.data.params,
    "metrics": {k: number(v) for k, v in run.data.metrics.items()},
    "tags": {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")},
    "all_tags": run.data.tags,
    "history": history,
    "inputs": [
        {
            "name": i.dataset.name,
            "digest": i.dataset.digest,
            "source_type": i.dataset.source_type,
            "source": i.dataset.source,
            "context": {t.key: t.value for t in i.tags}.get("mlflow.data.context", ""),
        }
        for i in run.inputs.dataset_inputs
    ],
}))
