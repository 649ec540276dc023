"""The three examples of examples/python, run as they stand (a user would run them so)."""
import json

import pytest

pytest.importorskip("torch", reason="python3-torch is not installed (Debian 12 has it: scripts/setup installs it)")
from support import run_script  # noqa: E402


def last_json(stdout):
    return json.loads(stdout[stdout.index("{"):])


def test_user_written_energy_matches_the_builtin_mlp_and_trains_by_denoising_score_matching(tmp_path):
    done = run_script(["examples/python/user_energy.py", "--out", str(tmp_path / "runs")])
    assert done.returncode == 0, done.stderr[-3000:]
    result = last_json(done.stdout)
    assert abs(result["gap_nats"]) <= 0.15, result  # the bar: within 0.15 nats of the built-in MLP
    assert result["builtin_mlp_grid_ll"] > result["true_ll"] - 0.3, result  # both actually learnt the density
    assert "grid_ll" in result["resnet_dsm"], result  # second derivatives through TorchScript work
    assert result["resnet_dsm"]["grid_ll"] > result["true_ll"] - 1.0, result


def test_a_failure_mode_reproduced_and_its_figures_read_back(tmp_path):
    done = run_script(["examples/python/reproduce_failure.py", "--out", str(tmp_path / "cd_bias")])
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0] == "cd_bias: REPRODUCED"
    # The figures it printed are the signature's (signature.json beside the study's runs).
    with open(tmp_path / "cd_bias" / "signature.json") as f:
        figures = json.load(f)["figures"]["exact_relative_bias"]
    for scale, by_k in figures.items():
        expected = "  {:<10} ".format(scale) + "  ".join("k={} {:.3g}".format(k, v) for k, v in by_k.items())
        assert expected in lines, (expected, done.stdout)
    assert len(figures) >= 2 and all(len(by_k) >= 2 for by_k in figures.values())


def test_samples_and_energies_pulled_into_numpy(tmp_path):
    # One thread: ctest runs another test beside it on two cores.
    done = run_script(["examples/python/samples_to_numpy.py", "--steps", "2000", "--threads", "1", "--out",
                       str(tmp_path / "gmm")])
    assert done.returncode == 0, done.stderr[-3000:]
    result = last_json(done.stdout)
    assert result["samples"] == [4000, 2] and result["step"] == 2000
    # 2,000 steps of the 8-Gaussians config already put samples in every mode (exactly 1/8 each).
    assert min(result["share_per_mode"]) > 0.05, result
    assert abs(sum(result["share_per_mode"]) - 1) < 1e-3
