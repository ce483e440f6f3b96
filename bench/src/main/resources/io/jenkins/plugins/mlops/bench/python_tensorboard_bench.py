"""Reads a TensorBoard log directory fully to (run, tag, step, value) rows with the Python tools and prints
one JSON line of timings (seconds spent reading, imports excluded) and row counts.

usage: python_tensorboard_bench.py LOGDIR
"""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

from tbparse import SummaryReader  # noqa: E402
from tensorboard.backend.event_processing import event_file_loader  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

logdir = sys.argv[1]


def event_files():
    for directory, _, names in sorted(os.walk(logdir)):
        for name in sorted(names):
            if "tfevents" in name:
                yield os.path.relpath(directory, logdir), os.path.join(directory, name)


# TensorBoard's Python event loader (it uses TensorFlow's C++ record reader when TensorFlow is installed,
# as it is here), every value decoded to a number.
start = time.perf_counter()
loader_rows = 0
checksum = 0.0
for run, path in event_files():
    for event in event_file_loader.EventFileLoader(path).Load():
        if not event.HasField("summary"):
            continue
        for value in event.summary.value:
            kind = value.WhichOneof("value")
            if kind == "simple_value":
                number = value.simple_value
            elif kind == "tensor":
                number = tensor_util.make_ndarray(value.tensor).item()
            else:
                continue
            loader_rows += 1
            checksum += number
loader_s = time.perf_counter() - start

# tbparse: scalars (simple values) and tensors (TF2 scalars), as a DataFrame of rows.
start = time.perf_counter()
reader = SummaryReader(logdir, extra_columns={"dir_name"}, event_types={"scalars", "tensors"})
tbparse_rows = len(reader.scalars) + len(reader.tensors)
tbparse_s = time.perf_counter() - start

print(json.dumps({"loader_s": loader_s, "loader_rows": loader_rows, "tbparse_s": tbparse_s,
                  "tbparse_rows": tbparse_rows, "checksum": checksum}))
