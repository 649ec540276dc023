#!/usr/bin/env python3
"""An energy written in PyTorch, trained by ebm's C++ sampler and objective.

A small ResNet-style MLP (written below) learns the 8-Gaussians density with persistent Langevin
chains (PCD), beside the built-in MLP on the same config and seed; both end with the held-out
log-likelihood grid_ll (log Z by quadrature on a 200x200 grid). The same energy is then trained
by denoising score matching, which needs its second derivatives (TorchScript has them for
these layers).

    scripts/python examples/python/user_energy.py [--steps 8000] [--out runs/user_energy]
"""
import argparse
import json
import logging
import os

import torch

import ebm


class ResidualBlock(torch.nn.Module):
    """h + W2 silu(W1 silu(h))"""

    def __init__(self, width: int):
        super().__init__()
        self.inner = torch.nn.Linear(width, width)
        self.outer = torch.nn.Linear(width, width)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return h + self.outer(torch.nn.functional.silu(self.inner(torch.nn.functional.silu(h))))


class ResNetEnergy(torch.nn.Module):
    """E(x): a linear map into `width` units, residual blocks, a scalar read-out."""

    def __init__(self, dim: int = 2, width: int = 64, blocks: int = 1):
        super().__init__()
        self.embed = torch.nn.Linear(dim, width)
        self.blocks = torch.nn.ModuleList([ResidualBlock(width) for _ in range(blocks)])
        self.readout = torch.nn.Linear(width, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.embed(x)
        for block in self.blocks:
            h = block(h)
        return self.readout(torch.nn.functional.silu(h)).squeeze(-1)  # [N, D] -> N energies


def config(steps: int) -> dict:
    """experiments/gmm8_langevin.yaml with persistent chains instead of the replay buffer."""
    return {
        "seed": 1,
        "threads": 1,  # a 2-D MLP gains nothing from a second thread
        "data": {"type": "eight_gaussians", "train_size": 10000, "held_out": 2000},
        "model": {"type": "mlp", "width": 128, "depth": 3, "activation": "silu"},
        "sampler": {"type": "langevin", "steps": 40, "step_size": 0.01},
        "objective": {"type": "contrastive", "chain_source": "persistent", "chains": 128, "energy_l2": 0.1},
        "optimizer": {"type": "adam", "lr": 0.001},
        "train": {"steps": steps, "batch_size": 128, "log_every": steps // 4, "checkpoint_every": steps // 2},
        "eval": {"grid_ll": True, "true_ll": True, "mode_coverage": True, "grid_resolution": 200},
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=8000, help="training steps of each run (a multiple of 4)")
    p.add_argument("--out", default="runs/user_energy", help="a new directory for the three runs")
    a = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if os.path.exists(a.out):
        raise SystemExit("{} exists: give a new --out".format(a.out))

    builtin = ebm.train(config(a.steps), out=os.path.join(a.out, "builtin_mlp"))
    torch.manual_seed(1)
    mine = ebm.train(config(a.steps), out=os.path.join(a.out, "resnet_pcd"), energy=ResNetEnergy())
    dsm_config = config(a.steps)
    dsm_config["objective"] = {"type": "denoising_score_matching", "noise_std": 0.1}
    torch.manual_seed(1)
    try:
        dsm = ebm.train(dsm_config, out=os.path.join(a.out, "resnet_dsm"), energy=ResNetEnergy())
        dsm_result = {"grid_ll": dsm.summary["final"]["grid_ll"]}
    except ValueError as refused:  # an energy without second derivatives is refused, with the reason
        dsm_result = {"refused": str(refused)}

    final = {name: run.summary["final"] for name, run in [("builtin_mlp", builtin), ("resnet_pcd", mine)]}
    print(json.dumps({
        "true_ll": final["builtin_mlp"]["true_ll"],
        "builtin_mlp_grid_ll": final["builtin_mlp"]["grid_ll"],
        "resnet_pcd_grid_ll": final["resnet_pcd"]["grid_ll"],
        "gap_nats": final["resnet_pcd"]["grid_ll"] - final["builtin_mlp"]["grid_ll"],
        "resnet_dsm": dsm_result,
        "runs": [builtin.dir, mine.dir] + ([dsm.dir] if "grid_ll" in dsm_result else []),
    }, indent=2))


if __name__ == "__main__":
    main()
