"""What the Python tests share: the project's root, a small RBM config, a safetensors reader,
and running a script with the package on its path."""
import json
import os
import struct
import subprocess
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rbm_config(steps=2000, **train):
    """experiments/quickstart.yaml made short: a 16x16 Bernoulli RBM on 4x4 bars and stripes,
    PCD-1 at a larger learning rate (2,000 steps reach an exact_ll near -4.4; uniform: -11.09)."""
    return {
        "seed": 1,
        "threads": 1,
        "data": {"type": "bars_and_stripes", "size": 4},
        "model": {"type": "bernoulli_rbm", "hidden": 16, "init_std": 0.1},
        "sampler": {"type": "gibbs", "steps": 1},
        "objective": {"type": "contrastive", "chain_source": "persistent", "chains": 100},
        "optimizer": {"type": "sgd", "lr": 0.05, "momentum": 0.5},
        "train": dict({"steps": steps, "batch_size": 32, "log_every": 500, "checkpoint_every": 1000}, **train),
        "eval": {"exact_ll": True},
    }


def read_safetensors(path):
    """name -> tensor, from the format's definition: an 8-byte little-endian header length, the
    JSON header, then the tensors' bytes."""
    dtypes = {"F32": torch.float32, "F64": torch.float64}
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtypes[entry["dtype"]])
        tensors[name] = flat.reshape(entry["shape"])
    return tensors


def run_script(args, timeout=900):
    """Runs `python3 ARGS...` from the project's root, with this process's environment (the
    PYTHONPATH that makes the package importable)."""
    return subprocess.run([sys.executable] + args, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
