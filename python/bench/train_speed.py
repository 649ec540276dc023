#!/usr/bin/env python3
"""Benchmark: ebm.train from Python against `ebm train` on the command line, same configs.

Each round trains each config once through the program (a subprocess of build/ebm) and once in
this process (ebm.train), alternating, on one thread each (two threads on a two-core machine
made every round's speed swing by half), and reads the training speed the trainer measured
(summary.json: steps / wall_s, training only) and the call's whole time (start-up, data,
pictures included). Prints JSON: the median of each, the ratio of the medians and the median
of the rounds' own ratios (Python / command line).

    scripts/python python/bench/train_speed.py [--rounds 7]
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time

import ebm

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = {
    # a 16x16 RBM, PCD-1: about 10,000 short steps a second, where a per-step cost would show
    "rbm_pcd1_bars_and_stripes": ("experiments/quickstart.yaml", ["train.steps=30000", "eval.exact_ll=false", "threads=1"]),
    # a 2-128-128-1 MLP, 40 Langevin steps per update on 128 chains
    "mlp_langevin_8gaussians": ("experiments/gmm8_langevin.yaml", ["train.steps=1000", "eval.grid_ll=false",
                                                                   "eval.true_ll=false", "eval.mode_coverage=false",
                                                                   "eval.mmd2=false", "threads=1"]),
}


def cpu_name():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def speed(summary):
    return summary["steps"] / summary["wall_s"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=7)
    a = p.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="ebm-bench-") as scratch:
        for name, (config, overrides) in CASES.items():
            cli, py, cli_call, py_call = [], [], [], []
            for r in range(a.rounds):
                out = os.path.join(scratch, "{}-cli-{}".format(name, r))
                args = [os.path.join(ROOT, "build/ebm"), "train", os.path.join(ROOT, config), "--out", out]
                for o in overrides:
                    args += ["--set", o]
                started = time.perf_counter()
                done = subprocess.run(args, capture_output=True, text=True, check=True, cwd=ROOT)
                cli_call.append(time.perf_counter() - started)
                cli.append(speed(json.loads(done.stdout)))
                started = time.perf_counter()
                run = ebm.train(os.path.join(ROOT, config), overrides=overrides,
                                out=os.path.join(scratch, "{}-py-{}".format(name, r)))
                py_call.append(time.perf_counter() - started)
                py.append(speed(run.summary))
            results[name] = {
                "cli_steps_per_s": statistics.median(cli),
                "python_steps_per_s": statistics.median(py),
                "ratio_python_to_cli": statistics.median(py) / statistics.median(cli),
                "median_round_ratio": statistics.median(p / c for p, c in zip(py, cli)),
                "cli_call_s": statistics.median(cli_call),
                "python_call_s": statistics.median(py_call),
                "rounds": a.rounds,
                "cli_all": cli,
                "python_all": py,
            }
    print(json.dumps({"benchmark": "python_train", "cpu": cpu_name(), "cores": os.cpu_count(), "cases": results},
                     indent=2))


if __name__ == "__main__":
    main()
