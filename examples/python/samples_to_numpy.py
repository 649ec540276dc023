#!/usr/bin/env python3
"""A trained run's samples and energies pulled into numpy.

Trains experiments/gmm8_langevin.yaml briefly (or opens a run you name), draws samples from
its Langevin sampler and evaluates the energy on a grid, all as torch tensors that numpy views
without copies; then measures, in numpy, how the samples share out among the eight modes and
where the energy is lowest.

    scripts/python examples/python/samples_to_numpy.py [--run DIR | --steps 2000 --out DIR --threads N]
"""
import argparse
import json

import numpy as np

import ebm


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", help="a trained run of 2-D data (default: train one)")
    p.add_argument("--steps", type=int, default=2000, help="training steps when training one")
    p.add_argument("--out", help="where to train one (default runs/gmm8_langevin, -2, ...)")
    p.add_argument("--threads", type=int, help="CPU threads when training one (default the config's)")
    a = p.parse_args()
    if a.run:
        run = ebm.Run(a.run)
    else:
        run = ebm.train("experiments/gmm8_langevin.yaml", out=a.out,
                        overrides=["train.steps={}".format(a.steps), "train.log_every={}".format(a.steps // 4),
                                   "train.checkpoint_every={}".format(a.steps // 2)]
                        + (["threads={}".format(a.threads)] if a.threads is not None else []))

    samples_tensor = run.sample(4000, steps=500)
    samples = samples_tensor.numpy()  # a view of the tensor's memory, not a copy

    side = np.linspace(-3, 3, 121, dtype=samples.dtype)
    grid = np.stack(np.meshgrid(side, side, indexing="xy"), axis=-1).reshape(-1, 2)
    energy = run.energy(grid).numpy().reshape(side.size, side.size)

    angles = 2 * np.pi * np.arange(8) / 8
    centres = 2 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    nearest = np.argmin(((samples[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    share = np.bincount(nearest, minlength=8) / len(samples)
    low = np.unravel_index(np.argmin(energy), energy.shape)
    print(json.dumps({
        "run": run.dir,
        "step": run.step,
        "samples": list(samples.shape),
        "share_per_mode": [round(float(s), 4) for s in share],
        "lowest_energy_at": [float(side[low[1]]), float(side[low[0]])],
        "energy_range_on_grid": [float(energy.min()), float(energy.max())],
    }, indent=2))


if __name__ == "__main__":
    main()
