"""The trainer benchmark's Python side.

usage: python_trainer_bench.py generate DIR ROWS FEATURES CLASSES   writes DIR/train.parquet (and a small test split)
       python_trainer_bench.py keras DIR EPOCHS BATCH                trains the article's model, prints one JSON line

Keras: Dense(128, relu) -> Dense(classes, softmax), Adam, sparse categorical cross-entropy, accuracy; the
features standardised with the training mean and deviation, as the trainer does. samples/s per epoch is
measured by a callback around the training of each epoch only.
"""
import json
import os
import sys
import time

import numpy as np

if sys.argv[1] == "generate":
    out, rows, features, classes = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    import pandas as pd

    rng = np.random.default_rng(42)
    weights = rng.normal(size=(features, classes))
    for name, n in (("train", rows), ("test", max(1000, rows // 10))):
        x = rng.normal(size=(n, features)).astype("float32")
        y = np.argmax(x @ weights + rng.normal(scale=2.0, size=(n, classes)), axis=1)
        frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(features)])
        frame["label"] = y
        frame.to_parquet(os.path.join(out, name + ".parquet"), index=False)
    print(json.dumps({"rows": rows}))
    sys.exit(0)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import pandas as pd
import tensorflow as tf

data, epochs, batch = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
train = pd.read_parquet(os.path.join(data, "train.parquet"))
y = train.pop("label").to_numpy()
x = train.to_numpy(dtype="float32")
mean, std = x.mean(axis=0), x.std(axis=0)
std[std == 0] = 1
x = (x - mean) / std
classes = int(y.max()) + 1
tf.random.set_seed(42)
model = tf.keras.Sequential(
    [tf.keras.Input(shape=(x.shape[1],)), tf.keras.layers.Dense(128, activation="relu"),
     tf.keras.layers.Dense(classes, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


class Timer(tf.keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.rates = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.rates.append(len(x) / (time.perf_counter() - self.start))


timer = Timer()
history = model.fit(x, y, epochs=epochs, batch_size=batch, verbose=0, callbacks=[timer])
steady = timer.rates[1:] if len(timer.rates) > 1 else timer.rates
print(json.dumps({"samples_per_second": sum(steady) / len(steady), "first_epoch": timer.rates[0],
                  "accuracy": float(history.history["accuracy"][-1])}))
