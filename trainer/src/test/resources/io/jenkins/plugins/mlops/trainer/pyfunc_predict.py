"""Loads a model with MLflow's pyfunc and predicts a split: usage TRACKING_URI MODEL_URI CSV."""
import json
import sys

import mlflow
import pandas as pd

mlflow.set_tracking_uri(sys.argv[1])
model = mlflow.pyfunc.load_model(sys.argv[2])
frame = pd.read_csv(sys.argv[3])
columns = [c["name"] for c in json.loads(model.metadata.signature.to_dict()["inputs"])]
predictions = model.predict(frame[columns])
example = model.metadata.load_input_example(mlflow.artifacts.download_artifacts(sys.argv[2]))
print(json.dumps({
    "flavors": sorted(model.metadata.flavors),
    "loader": model.metadata.flavors["python_function"]["loader_module"],
    "inputs": json.loads(model.metadata.signature.to_dict()["inputs"]),
    "example_rows": len(example),
    "example_predictions": [str(p) for p in model.predict(example)],
    "predictions": [str(p) for p in predictions],
}))
