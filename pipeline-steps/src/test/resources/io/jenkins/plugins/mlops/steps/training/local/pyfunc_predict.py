"""Loads a model with MLflow's pyfunc and predicts a split's features.

Usage: TRACKING_URI MODEL_URI SPLIT_FILE LABEL; prints one JSON line.
"""
import json
import sys

import mlflow
import numpy as np
import pandas as pd

mlflow.set_tracking_uri(sys.argv[1])
model = mlflow.pyfunc.load_model(sys.argv[2])
path = sys.argv[3]
frame = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
features = frame.drop(columns=[sys.argv[4]]).astype("float32")
predictions = np.asarray(model.predict(features))
print(json.dumps({
    "flavors": sorted(model.metadata.flavors),
    "loader": model.metadata.flavors["python_function"]["loader_module"],
    "rows": len(frame),
    "shape": list(predictions.shape),
    "argmax": np.argmax(predictions, axis=1).tolist() if predictions.ndim == 2 else [],
}))
