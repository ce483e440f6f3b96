"""MLflow pyfunc loader for the mlops built-in trainer's MLP (shipped in the model's code/).

The network and its preprocessing are plain data: data/network.json describes the layers and
data/*.npy hold the weights, so numpy and pandas are all that prediction needs. The encoding
mirrors the trainer's: numeric features standardised with the training split's mean and standard
deviation (a missing value becomes the mean), one-hot and embedded categories over the training
split's values (an unseen value: all zeros, or the embedding's last row).
"""

import json
import math
import os

import numpy as np
import pandas as pd


def _load_pyfunc(path):
    return _Mlp(path)


def _text(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return str(value)


class _Mlp:
    def __init__(self, path):
        with open(os.path.join(path, "network.json"), encoding="utf-8") as f:
            self.spec = json.load(f)
        self.arrays = {}
        for layer in self.spec["layers"]:
            for key in ("weight", "bias", "gamma", "beta", "mean", "var"):
                if key in layer:
                    self.arrays[layer[key]] = np.load(os.path.join(path, layer[key]))
        for name in self.spec["embeddings"]:
            self.arrays[name] = np.load(os.path.join(path, name))

    def predict(self, model_input, params=None):
        frame = model_input if isinstance(model_input, pd.DataFrame) else pd.DataFrame(model_input)
        outputs = self._forward(self._encode(frame))
        spec = self.spec
        if spec["task"] == "classification":
            classes = np.array(spec["classes"], dtype=object)
            return classes[np.argmax(outputs, axis=1)]
        return outputs.reshape(-1).astype(np.float64) * spec["label_std"] + spec["label_mean"]

    def _encode(self, frame):
        rows = len(frame)
        dense, embedded = [], []
        for feature in self.spec["features"]:
            name = feature["name"]
            if name not in frame.columns:
                raise ValueError(f"the input has no column '{name}'")
            column = frame[name]
            kind = feature["kind"]
            if kind == "numeric":
                values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64,
                                                                         na_value=np.nan)
                scaled = ((values - feature["mean"]) / feature["std"]).astype(np.float32)
                dense.append(np.where(np.isnan(values), np.float32(0), scaled).reshape(rows, 1))
            else:
                index = {c: i for i, c in enumerate(feature["categories"])}
                codes = np.array([index.get(_text(v), -1) for v in column], dtype=np.int64)
                if kind == "embedding":
                    embedded.append(np.where(codes < 0, len(index), codes))
                else:
                    onehot = np.zeros((rows, len(index)), dtype=np.float32)
                    hit = codes >= 0
                    onehot[np.nonzero(hit)[0], codes[hit]] = 1.0
                    dense.append(onehot)
        x = np.concatenate(dense, axis=1) if dense else np.zeros((rows, 0), dtype=np.float32)
        parts = [x] if dense else []
        for codes, table in zip(embedded, self.spec["embeddings"]):
            parts.append(self.arrays[table][codes])
        return np.concatenate(parts, axis=1).astype(np.float32)

    def _forward(self, x):
        a = self.arrays
        for layer in self.spec["layers"]:
            kind = layer["type"]
            if kind == "linear":
                x = x @ a[layer["weight"]].T + a[layer["bias"]]
            elif kind == "batch_norm":
                x = (x - a[layer["mean"]]) / np.sqrt(a[layer["var"]] + np.float32(layer["epsilon"]))
                x = x * a[layer["gamma"]] + a[layer["beta"]]
            elif kind == "relu":
                x = np.maximum(x, np.float32(0))
            elif kind == "tanh":
                x = np.tanh(x)
            elif kind == "sigmoid":
                x = np.float32(1) / (np.float32(1) + np.exp(-x))
            elif kind == "leaky_relu":
                x = np.where(x > 0, x, x * np.float32(layer["alpha"]))
            elif kind == "gelu":
                erf = np.vectorize(math.erf, otypes=[np.float64])
                x = (0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))).astype(np.float32)
            else:
                raise ValueError(f"unknown layer type {kind}")
            x = x.astype(np.float32, copy=False)
        return x
