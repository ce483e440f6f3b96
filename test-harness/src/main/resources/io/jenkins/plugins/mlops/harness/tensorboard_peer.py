"""TensorBoard peers for the bridge's tests: real writers (TensorFlow, Keras, tensorboardX, TensorBoard's own
protos) write event files, and real readers (TensorBoard's event multiplexer, tbparse) read them back.

usage: tensorboard_peer.py write ROOT          -> ROOT/{tf,keras,tbx,dtypes,restart,version1}, prints {"written": [...]}
       tensorboard_peer.py read OUT LOGDIR...  -> OUT holds {LOGDIR: {"tensorboard": {...}, "tbparse": {...}}}
       tensorboard_peer.py append LOGDIR COUNT PAUSE_S  -> appends COUNT points per run (train, then
                                                 validation appears halfway), flushing each; prints progress
"""
import hashlib
import json
import math
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


def number(x):
    """A JSON-safe number: NaN and infinities as strings."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


# ---------------------------------------------------------------------------------------------------------
# Writers


def write_tf(logdir):
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(7)
    for run in ("run_a", "nested/run_b"):
        writer = tf.summary.create_file_writer(os.path.join(logdir, run))
        with writer.as_default():
            for step in range(40):
                tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
                tf.summary.scalar("metrics/accuracy", 1.0 - 0.5 ** (step + 1), step=step)
                if step % 10 == 0:
                    tf.summary.histogram("weights", rng.normal(size=500), step=step)
                    tf.summary.image("samples", rng.random((2, 6, 5, 3)), step=step, max_outputs=2)
                    tf.summary.text("note", "step **%d**" % step, step=step)
            # A double-precision scalar of the scalars plugin and a tensor of no plugin (skipped).
            meta = tf.compat.v1.SummaryMetadata()
            meta.plugin_data.plugin_name = "scalars"
            tf.summary.write("double_scalar", tf.constant(0.1, tf.float64), step=3, metadata=meta)
            tf.summary.write("no_plugin", tf.constant(3.0), step=3)
        writer.close()
    return ["tf"]


def write_keras(logdir):
    import keras
    import numpy as np
    from sklearn.datasets import load_digits

    keras.utils.set_random_seed(42)
    digits = load_digits()
    x = (digits.data / 16.0).astype("float32")
    y = digits.target
    model = keras.Sequential([
        keras.Input(shape=(64,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    callback = keras.callbacks.TensorBoard(log_dir=logdir, histogram_freq=1, update_freq="epoch")
    model.fit(x[:1400], y[:1400], validation_data=(x[1400:], y[1400:]), epochs=3, batch_size=64,
              callbacks=[callback], verbose=0)
    return ["keras"]


def write_tbx(logdir):
    import numpy as np
    from tensorboardX import SummaryWriter

    rng = np.random.default_rng(3)
    writer = SummaryWriter(logdir)
    for step in range(30):
        writer.add_scalar("train/loss", 2.0 / (step + 1), step)
        writer.add_scalar("lr", 0.01 * 0.9 ** step, step)
        if step % 10 == 0:
            writer.add_histogram("activations", rng.normal(size=300), step)
            writer.add_image("picture", rng.random((3, 4, 5)), step)
            writer.add_text("notes", "hello %d" % step, step)
    # add_scalars writes each entry into a sub-run of its own.
    writer.add_scalars("compare", {"a": 1.5, "b": -2.5}, 7)
    writer.close()
    return ["tbx"]


def raw_writer(logdir):
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    return EventFileWriter(logdir)


def scalar_event(tag, step, tensor=None, simple=None, plugin=True, wall=None):
    from tensorboard.compat.proto import event_pb2, summary_pb2

    value = summary_pb2.Summary.Value(tag=tag)
    if simple is not None:
        value.simple_value = simple
    else:
        value.tensor.CopyFrom(tensor)
    if plugin:
        value.metadata.plugin_data.plugin_name = "scalars"
    return event_pb2.Event(wall_time=wall or time.time(), step=step,
                           summary=summary_pb2.Summary(value=[value]))


def write_dtypes(logdir):
    """One tag per encoding of a scalar: every dtype, in tensor_content and in its typed value list
    (float_val is what PyTorch's new-style scalars write, double_val its double-precision ones)."""
    import numpy as np
    from tensorboard.compat.proto import tensor_pb2, types_pb2

    def tensor(dtype, **fields):
        t = tensor_pb2.TensorProto(dtype=dtype, **fields)
        t.tensor_shape.SetInParent()
        return t

    def half_bits(x, bfloat):
        if bfloat:
            return int(np.array([x], dtype=np.float32).view(np.uint32)[0] >> 16)
        return int(np.array([x], dtype=np.float16).view(np.uint16)[0])

    import ml_dtypes

    writer = raw_writer(logdir)
    bfloat16_writer = raw_writer(os.path.join(logdir, "bfloat16"))
    expected = []
    for step in range(12):
        x = (step - 5) * 1.25 + 0.1
        i = (step - 5) * 1000003
        big = 2 ** 40 + step
        encodings = {
            "simple_value": None,
            "float_val": tensor(types_pb2.DT_FLOAT, float_val=[x]),
            "float_content": tensor(types_pb2.DT_FLOAT, tensor_content=np.float32(x).tobytes()),
            "double_val": tensor(types_pb2.DT_DOUBLE, double_val=[x / 3]),
            "double_content": tensor(types_pb2.DT_DOUBLE, tensor_content=np.float64(x / 3).tobytes()),
            "half_val": tensor(types_pb2.DT_HALF, half_val=[half_bits(x, False)]),
            "half_content": tensor(types_pb2.DT_HALF, tensor_content=np.float16(x).tobytes()),
            "half_subnormal": tensor(types_pb2.DT_HALF, half_val=[step]),
            "bfloat16_val": tensor(types_pb2.DT_BFLOAT16, half_val=[half_bits(x, True)]),
            "bfloat16_content": tensor(types_pb2.DT_BFLOAT16,
                                       tensor_content=np.uint16(half_bits(x, True)).tobytes()),
            "int32_val": tensor(types_pb2.DT_INT32, int_val=[i]),
            "int32_content": tensor(types_pb2.DT_INT32, tensor_content=np.int32(i).tobytes()),
            "int64_val": tensor(types_pb2.DT_INT64, int64_val=[big * (1 if step % 2 else -1)]),
            "int64_content": tensor(types_pb2.DT_INT64, tensor_content=np.int64(-big).tobytes()),
        }
        values = {
            "simple_value": np.float32(x), "float_val": np.float32(x), "float_content": np.float32(x),
            "double_val": x / 3, "double_content": x / 3,
            "half_val": np.float16(x), "half_content": np.float16(x),
            "half_subnormal": np.array([step], dtype=np.uint16).view(np.float16)[0],
            "bfloat16_val": np.array([half_bits(x, True)], dtype=np.uint16).view(ml_dtypes.bfloat16)[0],
            "bfloat16_content": np.array([half_bits(x, True)], dtype=np.uint16).view(ml_dtypes.bfloat16)[0],
            "int32_val": i, "int32_content": i,
            "int64_val": big * (1 if step % 2 else -1), "int64_content": -big,
        }
        for tag, v in values.items():
            expected.append(["bfloat16" if tag.startswith("bfloat16") else ".", tag, step, number(v)])
        for tag, t in encodings.items():
            if t is None:
                event = scalar_event(tag, step, simple=x)
            else:
                # Metadata on the first value of a tag only, as TensorFlow writes it.
                event = scalar_event(tag, step, tensor=t, plugin=(step == 0))
            # bfloat16 in a run of its own: TensorBoard and tbparse cannot decode it.
            (bfloat16_writer if tag.startswith("bfloat16") else writer).add_event(event)
    writer.close()
    bfloat16_writer.close()
    with open(os.path.join(logdir, "expected.json"), "w") as f:
        json.dump(expected, f)
    return ["dtypes"]


def write_restart(logdir):
    """A run restarted at step 5 (SessionLog.START), and an old-format run with out-of-order steps."""
    from tensorboard.compat.proto import event_pb2
    from tensorboard.summary.writer.record_writer import RecordWriter

    writer = raw_writer(os.path.join(logdir, "restarted"))
    writer.add_event(event_pb2.Event(wall_time=time.time(), step=0,
                                     session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START)))
    for step in range(10):
        writer.add_event(scalar_event("loss", step, simple=float(step)))
        writer.add_event(scalar_event("acc", step, simple=float(step) / 10))
    writer.add_event(event_pb2.Event(wall_time=time.time(), step=5,
                                     session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START)))
    for step in range(5, 13):
        writer.add_event(scalar_event("loss", step, simple=100.0 + step))
    writer.close()

    old = os.path.join(logdir, "version1")
    os.makedirs(old, exist_ok=True)
    with open(os.path.join(old, "events.out.tfevents.0000000001.peer"), "wb") as f:
        records = RecordWriter(f)
        records.write(event_pb2.Event(wall_time=1.0, file_version="brain.Event:1").SerializeToString())
        # Steps 0..7, then 4..5 again (a restart the old way): TensorBoard keeps 0..3 and the new 4..5.
        for n, step in enumerate(list(range(8)) + list(range(4, 6))):
            records.write(scalar_event("loss", step, simple=float(step * 10 + (1 if n >= 8 else 0)),
                                       wall=1.0 + n).SerializeToString())
        records.write(scalar_event("other", 9, simple=9.0, wall=20.0).SerializeToString())
    return ["restart"]


def write_all(root):
    written = []
    for name, fn in (("dtypes", write_dtypes), ("restart", write_restart), ("tbx", write_tbx),
                     ("tf", write_tf), ("keras", write_keras)):
        written += fn(os.path.join(root, name))
    print(json.dumps({"written": written}))


# ---------------------------------------------------------------------------------------------------------
# Readers


def read_tensorboard(logdir):
    """What TensorBoard's own loader (the event multiplexer its plugins read) shows, everything kept."""
    from tensorboard.backend.event_processing import plugin_event_multiplexer
    from tensorboard.util import tensor_util

    mux = plugin_event_multiplexer.EventMultiplexer(
        size_guidance={"tensors": 0, "scalars": 0, "histograms": 0, "images": 0},
        tensor_size_guidance={"scalars": 0, "histograms": 0, "images": 0, "text": 0})
    mux.AddRunsFromDirectory(logdir)
    mux.Reload()
    out = {"scalars": [], "histograms": [], "images": [], "text": []}
    errors = []
    for plugin in list(out):
        for run, tags in mux.PluginRunToTagToContent(plugin).items():
            for tag in tags:
                for e in mux.Tensors(run, tag):
                    row = [run, tag, e.step, e.wall_time]
                    try:
                        array = tensor_util.make_ndarray(e.tensor_proto)
                    except Exception as failure:  # TensorBoard cannot decode some dtypes (bfloat16)
                        errors.append(row + [repr(failure)])
                        continue
                    if plugin == "scalars":
                        out[plugin].append(row + [number(array.item())])
                    elif plugin == "histograms":
                        out[plugin].append(row + [[[number(v) for v in b] for b in array.tolist()]])
                    elif plugin == "images":
                        w, h = int(array[0]), int(array[1])
                        for i, img in enumerate(array[2:]):
                            out[plugin].append(row + [i, w, h, hashlib.sha256(img).hexdigest()])
                    else:
                        texts = array.flatten().tolist() if array.shape else [array.item()]
                        out[plugin].append(row + ["\n".join(t.decode("utf-8") for t in texts)])
    out["errors"] = errors
    return out


def read_tbparse(logdir):
    """tbparse's view, file by file (as tbparse reads a directory): simple values from `scalars`,
    rank-0 numeric tensors from `tensors`; a file tbparse cannot read goes to `errors`."""
    import numpy as np
    from tbparse import SummaryReader

    rows, errors = [], []
    for directory, _, names in sorted(os.walk(logdir)):
        for name in sorted(names):
            if "tfevents" not in name:
                continue
            run = os.path.relpath(directory, logdir).replace(os.sep, "/")
            try:
                reader = SummaryReader(os.path.join(directory, name), extra_columns={"wall_time"},
                                       event_types={"scalars", "tensors"})
                frames = (reader.scalars, reader.tensors)
            except Exception as failure:  # tbparse cannot decode some dtypes (bfloat16)
                errors.append([run, name, repr(failure)])
                continue
            for frame in frames:
                for r in frame.itertuples(index=False):
                    value = r.value
                    if isinstance(value, (np.ndarray, bytes, str)) or value is None:
                        continue
                    rows.append([run, r.tag, int(r.step), float(r.wall_time), number(value)])
    return {"scalars": rows, "errors": errors}


def read(out_path, logdirs):
    result = {}
    for logdir in logdirs:
        result[logdir] = {"tensorboard": read_tensorboard(logdir), "tbparse": read_tbparse(logdir)}
    tmp = out_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f)
    os.replace(tmp, out_path)
    print(json.dumps({"read": len(logdirs)}))


# ---------------------------------------------------------------------------------------------------------
# A writer that keeps appending (for follow mode)


def append(logdir, count, pause):
    from tensorboard.compat.proto import event_pb2

    train = raw_writer(os.path.join(logdir, "train"))
    validation = None
    for step in range(count):
        train.add_event(scalar_event("epoch_loss", step, simple=1.0 / (step + 1)))
        train.flush()
        if step == count // 2:
            validation = raw_writer(os.path.join(logdir, "validation"))
        if validation is not None:
            validation.add_event(scalar_event("epoch_accuracy", step, simple=step / count))
            validation.flush()
        print("appended step %d" % step, flush=True)
        time.sleep(pause)
    train.close()
    validation.close()
    print(json.dumps({"appended": count}), flush=True)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "write":
        write_all(sys.argv[2])
    elif command == "read":
        read(sys.argv[2], sys.argv[3:])
    elif command == "append":
        append(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit("unknown command " + command)
