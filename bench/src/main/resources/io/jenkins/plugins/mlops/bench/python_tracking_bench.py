"""The Python MLflow client's side of the tracking benchmark: prints one JSON line of timings.

usage: python_tracking_bench.py TRACKING_URI EXPERIMENT_ID KEYS STEPS SAMPLE
"""
import json
import sys
import time

from mlflow import MlflowClient
from mlflow.entities import Metric

uri, experiment_id, keys, steps, sample = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
client = MlflowClient(tracking_uri=uri)
t0 = 1_700_000_000_000

# log_batch in 1000-metric chunks, the way a careful Python user logs many points
run = client.create_run(experiment_id, run_name="python-log-batch").info.run_id
start = time.perf_counter()
chunk = []
for step in range(steps):
    for key in range(keys):
        chunk.append(Metric(f"metric_{key:03d}", 1.0 / (step + 1), t0 + step, step))
        if len(chunk) == 1000:
            client.log_batch(run, metrics=chunk)
            chunk = []
if chunk:
    client.log_batch(run, metrics=chunk)
client.set_terminated(run)
batched = time.perf_counter() - start

# log_metric one point per request, on a sample
run2 = client.create_run(experiment_id, run_name="python-log-metric").info.run_id
start = time.perf_counter()
for i in range(sample):
    client.log_metric(run2, f"metric_{i % keys:03d}", 1.0 / (i + 1), timestamp=t0 + i, step=i // keys)
per_point = time.perf_counter() - start
client.set_terminated(run2)

print(json.dumps({"batched_s": batched, "batched_run": run, "sample_s": per_point, "sample": sample}))
