#!/usr/bin/env python3
"""An energy written in PyTorch, saved for `ebm` to train: a SiLU MLP E(x) = f(x) with a scalar
output, the same shape as the built-in `model: {type: mlp}` and as ../shared/bench/langevin_torch.py.

    /usr/bin/python3 examples/python/scripted_mlp.py --out mlp.pt
    scripts/ebm train experiments/gmm8_langevin.yaml --set model.type=torchscript --set model.path=mlp.pt
    scripts/ebm bench langevin --torchscript mlp.pt
"""
import argparse

import torch


class MLPEnergy(torch.nn.Module):
    def __init__(self, dim: int, width: int, depth: int):
        super().__init__()
        layers, d = [], dim
        for _ in range(depth - 1):
            layers += [torch.nn.Linear(d, width), torch.nn.SiLU()]
            d = width
        layers.append(torch.nn.Linear(d, 1))
        self.net = torch.nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)  # [N, D] -> N energies


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dim", type=int, default=2)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--depth", type=int, default=3, help="linear layers, the output layer included")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="the TorchScript file to write")
    a = p.parse_args()
    torch.manual_seed(a.seed)
    torch.jit.script(MLPEnergy(a.dim, a.width, a.depth)).save(a.out)
    print(a.out)


if __name__ == "__main__":
    main()
