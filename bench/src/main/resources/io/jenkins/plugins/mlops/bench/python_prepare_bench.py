"""The article's recipe with pandas and scikit-learn, for the preparation benchmark: read the CSV, drop rows
with nulls, drop duplicates, stratified 80/20 split with a seed, write Parquet. Prints one JSON line.

usage: python_prepare_bench.py CSV LABEL OUT_DIR
"""
import json
import os
import sys
import time

import pandas as pd
from sklearn.model_selection import train_test_split

csv, label, out = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(out, exist_ok=True)
start = time.perf_counter()
frame = pd.read_csv(csv)
frame = frame.dropna()
frame = frame.drop_duplicates()
train, test = train_test_split(frame, test_size=0.2, random_state=42, stratify=frame[label])
train.to_parquet(os.path.join(out, "train.parquet"))
test.to_parquet(os.path.join(out, "test.parquet"))
print(json.dumps({"seconds": time.perf_counter() - start, "train": len(train), "test": len(test)}))
