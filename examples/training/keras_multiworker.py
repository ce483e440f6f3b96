"""The article's Keras model, trained synchronously on every worker of a job.

Runs under any mlops launcher that follows the training-container contract:

* ``TF_CONFIG`` (set by the ``tensorflow`` launcher when there are several workers) selects
  ``tf.distribute.MultiWorkerMirroredStrategy``; without it the script trains on one process.
* ``MLOPS_DATA_DIR`` holds the prepared splits (``train``, optional ``validation`` and ``test``,
  Parquet or CSV, as ``mlops prepare`` writes them); with its ``manifest.json``, only the files it
  lists are read, each checked against its SHA-256.
* ``MLOPS_LOGDIR`` receives the Keras TensorBoard logs (worker 0 only; the others log to a
  temporary directory, as TensorFlow's multi-worker guide advises), which mlops syncs into MLflow
  while training runs.
* ``MLOPS_OUTPUT_DIR`` receives ``metrics.json`` (final test metrics) and ``model.keras``.
* Hyperparameters come as ``--name value`` arguments (or ``MLOPS_PARAM_<NAME>``).

Every worker prints its part in the collective set-up and one line per epoch with its step count,
so a job's per-worker logs show that all of them took part.
"""

import argparse
import glob
import json
import os
import sys
import tempfile
import time


def parameter(name, default):
    return os.environ.get("MLOPS_PARAM_" + name.upper(), default)


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default=parameter("label", "label"))
    parser.add_argument("--epochs", type=int, default=int(parameter("epochs", "10")))
    parser.add_argument("--batch_size", type=int, default=int(parameter("batch_size", "32")))
    parser.add_argument("--hidden_units", type=int, default=int(parameter("hidden_units", "128")))
    parser.add_argument("--learning_rate", type=float,
                        default=float(parameter("learning_rate", "0.001")))
    parser.add_argument("--seed", type=int, default=int(parameter("seed", "42")))
    args = parser.parse_args()
    for name in ("epochs", "batch_size", "hidden_units"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} ({getattr(args, name)}) must be at least 1")
    if not args.learning_rate > 0:
        parser.error(f"--learning_rate ({args.learning_rate}) must be positive")
    return args


def sha256(path):
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def read_split(data_dir, split):
    """The split's rows. With mlops prepare's manifest.json, only the file it lists, checked against
    its SHA-256 (a stale or edited split is refused); without one, the usual file names."""
    import pandas as pd

    manifest_path = os.path.join(data_dir, "manifest.json")
    if os.path.exists(manifest_path):
        with open(manifest_path, encoding="utf-8") as f:
            manifest = json.load(f)
        name = manifest.get("files", {}).get(split)
        if name is None:
            return None
        path = os.path.join(data_dir, name)
        expected = (manifest.get("fileDigests") or {}).get(name)
        if expected is None or sha256(path) != expected:
            raise SystemExit(f"keras: {path} is not the file {manifest_path} describes"
                             " (no SHA-256, or another one); run mlops prepare again")
        return pd.read_parquet(path) if name.endswith(".parquet") else pd.read_csv(path)
    for ext, reader in (("parquet", pd.read_parquet), ("csv", pd.read_csv)):
        path = os.path.join(data_dir, f"{split}.{ext}")
        if os.path.exists(path):
            return reader(path)
        parts = sorted(glob.glob(os.path.join(data_dir, split, f"*.{ext}")))
        if parts:
            return pd.concat([reader(p) for p in parts], ignore_index=True)
    return None


def main():
    args = arguments()
    data_dir = os.environ.get("MLOPS_DATA_DIR")
    if not data_dir or not os.path.isdir(data_dir):
        print(f"keras: MLOPS_DATA_DIR ({data_dir}) is not a directory of prepared splits",
              file=sys.stderr)
        return 2
    splits = {s: read_split(data_dir, s) for s in ("train", "validation", "test")}
    if splits["train"] is None:
        print(f"keras: {data_dir} has no train split (train.parquet or train.csv)", file=sys.stderr)
        return 2
    if args.label not in splits["train"].columns:
        print(f"keras: label column '{args.label}' is not in the train split; columns:"
              f" {', '.join(splits['train'].columns)}", file=sys.stderr)
        return 2

    tf_config = json.loads(os.environ.get("TF_CONFIG", "{}") or "{}")
    task = tf_config.get("task", {})
    workers = len(tf_config.get("cluster", {}).get("worker", [])) or 1
    index = int(task.get("index", 0))
    chief = index == 0
    if workers > 1:
        # Keras 3's fit() does not run under MultiWorkerMirroredStrategy
        # (keras-team/keras#20585); TensorFlow's own Keras 2 (the tf_keras package) does.
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

    import tensorflow as tf
    tf.keras.utils.set_random_seed(args.seed)
    if workers > 1:
        strategy = tf.distribute.MultiWorkerMirroredStrategy()
    else:
        strategy = tf.distribute.get_strategy()
    print(f"worker {index} of {workers}: {type(strategy).__name__} with"
          f" {strategy.num_replicas_in_sync} replicas in sync", flush=True)

    labels = sorted(splits["train"][args.label].unique().tolist())
    code = {v: i for i, v in enumerate(labels)}

    def arrays(frame):
        x = frame.drop(columns=[args.label]).to_numpy(dtype="float32")
        y = frame[args.label].map(code)
        if y.isna().any():
            raise SystemExit(f"keras: a label in a split is not in the train split: {labels}")
        return x, y.to_numpy(dtype="int64")

    x_train, y_train = arrays(splits["train"])
    mean, std = x_train.mean(axis=0), x_train.std(axis=0) + 1e-6
    global_batch = args.batch_size * strategy.num_replicas_in_sync

    def dataset(frame, shuffle):
        x, y = arrays(frame)
        ds = tf.data.Dataset.from_tensor_slices(((x - mean) / std, y))
        if shuffle:
            ds = ds.shuffle(len(x), seed=args.seed, reshuffle_each_iteration=True)
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = (
            tf.data.experimental.AutoShardPolicy.DATA)
        return ds.batch(global_batch).with_options(options)

    train = dataset(splits["train"], True)
    validation = dataset(splits["validation"], False) if splits["validation"] is not None else None

    with strategy.scope():
        model = tf.keras.Sequential([
            tf.keras.Input(shape=(x_train.shape[1],)),
            tf.keras.layers.Dense(args.hidden_units, activation="relu"),
            tf.keras.layers.Dense(len(labels), activation="softmax"),
        ])
        model.compile(optimizer=tf.keras.optimizers.Adam(args.learning_rate),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    logdir = os.environ.get("MLOPS_LOGDIR") if chief else None
    logdir = logdir or tempfile.mkdtemp(prefix=f"keras-worker-{index}-")

    class Progress(tf.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.steps = 0
            self.start = time.monotonic()

        def on_train_batch_end(self, batch, logs=None):
            self.steps += 1

        def on_epoch_end(self, epoch, logs=None):
            metrics = " ".join(f"{k}={v:.4f}" for k, v in sorted((logs or {}).items()))
            print(f"worker {index}: epoch {epoch + 1}/{args.epochs} steps={self.steps} {metrics}"
                  f" ({time.monotonic() - self.start:.2f} s)", flush=True)

    model.fit(train, validation_data=validation, epochs=args.epochs, verbose=0,
              callbacks=[tf.keras.callbacks.TensorBoard(log_dir=logdir, update_freq="epoch"),
                         Progress()])

    metrics = {}
    if splits["test"] is not None:
        loss, accuracy = model.evaluate(dataset(splits["test"], False), verbose=0)
        metrics = {"test_loss": float(loss), "test_accuracy": float(accuracy)}
        print(f"worker {index}: test_loss={loss:.4f} test_accuracy={accuracy:.4f}", flush=True)

    # Every worker saves (saving may run collectives); only worker 0's files are the job's output.
    output = os.environ.get("MLOPS_OUTPUT_DIR") if chief else None
    output = output or tempfile.mkdtemp(prefix=f"keras-worker-{index}-output-")
    os.makedirs(output, exist_ok=True)
    model.save(os.path.join(output, "model.keras.tmp.keras"))
    os.replace(os.path.join(output, "model.keras.tmp.keras"), os.path.join(output, "model.keras"))
    if chief:
        with open(os.path.join(output, "metrics.json.tmp"), "w") as f:
            json.dump(metrics, f, indent=2)
        os.replace(os.path.join(output, "metrics.json.tmp"), os.path.join(output, "metrics.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
