"""A PyTorch DistributedDataParallel trainer that honours the mlops training-container contract.

Run it with the ``torchrun`` launcher (``mlops train --launcher torchrun --workers 2 --data prepared
-- python examples/training/pytorch_ddp.py``), which gives every worker ``MASTER_ADDR``,
``MASTER_PORT``, ``WORLD_SIZE`` and ``RANK``, so each joins the process group directly (``torchrun``
itself as the command works too: it reads the ``PET_*`` defaults); without ``WORLD_SIZE`` it trains
on one process.

The contract:

* ``MLOPS_DATA_DIR`` holds what ``mlops prepare`` wrote; only the files its ``manifest.json``
  lists are read, each checked against its SHA-256 (a stale or edited split is refused).
* ``MLOPS_LOGDIR`` receives TensorBoard scalars (``train/epoch_loss``, ``validation/epoch_accuracy``
  ...), written by rank 0 and synced into the MLflow run while training runs.
* ``MLOPS_CHECKPOINT_DIR`` keeps a checkpoint per epoch (written whole, then renamed); a restarted
  job resumes from the newest one.
* ``MLOPS_OUTPUT_DIR`` receives ``model.pt`` and ``metrics.json`` (final test metrics, top-level
  numbers), from rank 0.
* Hyperparameters come as ``--name value`` arguments, else ``MLOPS_PARAM_<NAME>``.

PyTorch is not in the project's pinned Python set: the tests check this file's syntax and run its
contract helpers (manifest, parameters, atomic writes) without it.
"""

import argparse
import hashlib
import json
import os
import sys


def parameter(name, default):
    return os.environ.get("MLOPS_PARAM_" + name.upper(), default)


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default=parameter("label", None))
    parser.add_argument("--epochs", type=int, default=int(parameter("epochs", "10")))
    parser.add_argument("--batch_size", type=int, default=int(parameter("batch_size", "64")))
    parser.add_argument("--hidden_units", type=int, default=int(parameter("hidden_units", "128")))
    parser.add_argument("--learning_rate", type=float,
                        default=float(parameter("learning_rate", "0.001")))
    parser.add_argument("--seed", type=int, default=int(parameter("seed", "42")))
    args = parser.parse_args(argv)
    for name in ("epochs", "batch_size", "hidden_units"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} ({getattr(args, name)}) must be at least 1")
    if not args.learning_rate > 0:
        parser.error(f"--learning_rate ({args.learning_rate}) must be positive")
    return args


def contract_dir(name, required=True):
    value = os.environ.get(name)
    if required and not value:
        sys.exit(f"pytorch_ddp: {name} is not set; run me with mlops train, or set it")
    return value


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def load_splits(data_dir):
    """The splits the manifest lists, as DataFrames, each file checked against its SHA-256."""
    import pandas as pd

    manifest_path = os.path.join(data_dir, "manifest.json")
    if not os.path.exists(manifest_path):
        raise SystemExit(f"pytorch_ddp: {manifest_path} is missing; give mlops prepare's output")
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    digests = manifest.get("fileDigests") or {}
    splits = {}
    for split, name in manifest["files"].items():
        path = os.path.join(data_dir, name)
        expected = digests.get(name)
        if expected is None:
            raise SystemExit(f"pytorch_ddp: {manifest_path} has no SHA-256 of {name};"
                             " run mlops prepare again")
        actual = sha256(path)
        if actual != expected:
            raise SystemExit(f"pytorch_ddp: {path} is not the file the manifest describes"
                             f" ({actual}, the manifest says {expected}); run mlops prepare again")
        splits[split] = pd.read_parquet(path) if name.endswith(".parquet") else pd.read_csv(path)
    return manifest, splits


def write_atomically(path, data):
    """Writes bytes or text to ``path`` under a temporary name, renamed when complete."""
    temp = f"{path}.{os.getpid()}.tmp"
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(temp, mode) as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)


def latest_checkpoint(checkpoint_dir):
    if not checkpoint_dir or not os.path.isdir(checkpoint_dir):
        return None
    names = sorted(n for n in os.listdir(checkpoint_dir)
                   if n.startswith("epoch-") and n.endswith(".pt"))
    return os.path.join(checkpoint_dir, names[-1]) if names else None


def main(argv=None):
    args = arguments(argv)
    import numpy as np
    import torch
    import torch.distributed as dist
    from torch import nn
    from torch.nn.parallel import DistributedDataParallel

    data_dir = contract_dir("MLOPS_DATA_DIR")
    logdir = contract_dir("MLOPS_LOGDIR", required=False)
    output_dir = contract_dir("MLOPS_OUTPUT_DIR")
    checkpoint_dir = contract_dir("MLOPS_CHECKPOINT_DIR", required=False)

    distributed = int(os.environ.get("WORLD_SIZE", "1")) > 1
    if distributed:
        dist.init_process_group("gloo")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    torch.manual_seed(args.seed)

    manifest, splits = load_splits(data_dir)
    label = args.label or manifest.get("label")
    if not label:
        sys.exit("pytorch_ddp: no --label, and the manifest names none")
    train = splits["train"]
    classes = sorted(train[label].astype(str).unique())
    index = {c: i for i, c in enumerate(classes)}

    def tensors(frame):
        x = torch.tensor(frame.drop(columns=[label]).to_numpy(dtype=np.float32))
        y = torch.tensor([index[str(v)] for v in frame[label]], dtype=torch.long)
        return x, y

    x_train, y_train = tensors(train)
    features = x_train.shape[1]
    model = nn.Sequential(nn.Linear(features, args.hidden_units), nn.ReLU(),
                          nn.Linear(args.hidden_units, len(classes)))
    ddp = DistributedDataParallel(model) if distributed else model
    optimizer = torch.optim.Adam(ddp.parameters(), lr=args.learning_rate)
    loss_fn = nn.CrossEntropyLoss()

    start = 0
    resume = latest_checkpoint(checkpoint_dir)
    if resume:
        state = torch.load(resume, weights_only=True)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start = state["epoch"]
        print(f"pytorch_ddp[{rank}]: resumed after epoch {start} from {resume}", flush=True)

    writers = {}
    if rank == 0 and logdir:
        from torch.utils.tensorboard import SummaryWriter
        writers = {s: SummaryWriter(os.path.join(logdir, s)) for s in ("train", "validation")}

    def evaluate(split):
        x, y = tensors(splits[split])
        with torch.no_grad():
            out = model(x)
            return loss_fn(out, y).item(), (out.argmax(1) == y).float().mean().item()

    for epoch in range(start, args.epochs):
        generator = torch.Generator().manual_seed(args.seed + epoch)
        order = torch.randperm(len(x_train), generator=generator)[rank::world]
        ddp.train()
        total, correct, seen = 0.0, 0, 0
        for i in range(0, len(order), args.batch_size):
            batch = order[i:i + args.batch_size]
            optimizer.zero_grad()
            out = ddp(x_train[batch])
            loss = loss_fn(out, y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
            correct += (out.argmax(1) == y_train[batch]).sum().item()
            seen += len(batch)
        line = f"epoch {epoch + 1}/{args.epochs} - loss {total / seen:.4f} - accuracy {correct / seen:.4f}"
        if rank == 0:
            if writers:
                writers["train"].add_scalar("epoch_loss", total / seen, epoch + 1)
                writers["train"].add_scalar("epoch_accuracy", correct / seen, epoch + 1)
            if "validation" in splits:
                val_loss, val_accuracy = evaluate("validation")
                line += f" - val_loss {val_loss:.4f} - val_accuracy {val_accuracy:.4f}"
                if writers:
                    writers["validation"].add_scalar("epoch_loss", val_loss, epoch + 1)
                    writers["validation"].add_scalar("epoch_accuracy", val_accuracy, epoch + 1)
            if checkpoint_dir:
                os.makedirs(checkpoint_dir, exist_ok=True)
                path = os.path.join(checkpoint_dir, f"epoch-{epoch + 1:05d}.pt")
                temp = path + ".tmp"
                torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                            "epoch": epoch + 1}, temp)
                os.replace(temp, path)
        print(f"pytorch_ddp[{rank}]: {line}", flush=True)

    if rank == 0:
        metrics = {}
        if "test" in splits:
            metrics["test_loss"], metrics["test_accuracy"] = evaluate("test")
        metrics["epochs"] = args.epochs
        os.makedirs(output_dir, exist_ok=True)
        torch.save(model.state_dict(), os.path.join(output_dir, "model.pt.tmp"))
        os.replace(os.path.join(output_dir, "model.pt.tmp"), os.path.join(output_dir, "model.pt"))
        write_atomically(os.path.join(output_dir, "metrics.json"), json.dumps(metrics, indent=2))
        for writer in writers.values():
            writer.close()
        print(f"pytorch_ddp: done; metrics in {os.path.join(output_dir, 'metrics.json')}", flush=True)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
