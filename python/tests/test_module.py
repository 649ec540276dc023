"""The Python module: training from a dict or a file, a run read back, energies and samples as
tensors checked against the model's own formula, errors as ValueError, Ctrl-C keeping the work."""
import json
import os
import signal
import subprocess
import threading

import pytest

torch = pytest.importorskip("torch", reason="python3-torch is not installed (Debian 12 has it: scripts/setup installs it)")
import ebm  # noqa: E402  (a failure to import fails every test here)
from support import ROOT, read_safetensors, rbm_config  # noqa: E402


def test_training_from_a_dict_writes_a_run_read_back_as_python_objects(tmp_path):
    rows = []
    run = ebm.train(rbm_config(), out=tmp_path / "run", progress=rows.append)
    assert run.dir == str(tmp_path / "run")
    assert run.config["model"]["hidden"] == 16 and run.config["train"]["steps"] == 2000
    assert [r["step"] for r in run.metrics] == [500, 1000, 1500, 2000]
    assert rows == run.metrics  # the callback saw each row as it was logged
    assert run.summary["steps"] == 2000
    assert run.summary["final"]["exact_ll"] == run.metrics[-1]["exact_ll"] > -6  # it learnt (uniform: -11.09)
    assert run.step == 2000


def test_progress_reaches_logging_and_other_threads_run_while_training(tmp_path, caplog):
    ticks = []
    stop = threading.Event()
    ticker = threading.Thread(target=lambda: [ticks.append(1) for _ in iter(lambda: stop.wait(0.01), True)])
    ticker.start()
    with caplog.at_level("INFO", logger="ebm"):
        run = ebm.train(rbm_config(steps=20000, log_every=5000, checkpoint_every=5000), out=tmp_path / "run")
    stop.set()
    ticker.join()
    messages = [r.getMessage() for r in caplog.records if r.name == "ebm"]
    assert any(m.startswith("step 20000/20000 | ") for m in messages), messages
    assert any(m == "wrote {}/summary.json".format(run.dir) for m in messages), messages
    # The GIL was released: the other thread ticked all along (about 100 a second).
    assert len(ticks) > 20 * run.summary["wall_s"], (len(ticks), run.summary["wall_s"])


def test_eval_reevaluates_the_last_checkpoint(tmp_path):
    run = ebm.train(rbm_config(), out=tmp_path / "run")
    result = run.eval("exact_ll")
    assert result["step"] == 2000 and result["metric"] == "exact_ll"
    assert result["exact_ll"] == pytest.approx(run.summary["final"]["exact_ll"], abs=1e-9)


def test_a_config_file_trains_as_the_command_line_does(tmp_path):
    overrides = ["train.steps=300", "train.log_every=100", "train.checkpoint_every=100"]
    run = ebm.train(os.path.join(ROOT, "experiments/quickstart.yaml"), overrides=overrides, out=tmp_path / "py")
    out = ebm.command("train", os.path.join(ROOT, "experiments/quickstart.yaml"), "--out", str(tmp_path / "cli"),
                      *[a for o in overrides for a in ("--set", o)])
    assert json.loads(out)["final"]["exact_ll"] == run.summary["final"]["exact_ll"]
    assert run.config["name"] == "quickstart"


def test_energy_is_the_rbm_free_energy_of_the_exported_parameters(tmp_path):
    run = ebm.train(rbm_config(), out=tmp_path / "run")
    run.export(tmp_path / "model.safetensors")
    p = read_safetensors(tmp_path / "model.safetensors")
    v = torch.randint(0, 2, (50, 16)).to(torch.float32)
    # F(v) = -b'v - sum_j softplus(c_j + (v'W)_j), W [visible, hidden] (ebm/layered_rbm.h)
    W, b, c = p["weight"], p["visible.field"], p["hidden.field"]
    expected = -(v @ b) - torch.nn.functional.softplus(c + v @ W).sum(1)
    energy = run.energy(v)
    assert energy.shape == (50,) and energy.dtype == torch.float32
    torch.testing.assert_close(energy, expected, rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(run.energy(v.numpy().astype("float64")), expected, rtol=1e-5, atol=1e-4)


def test_samples_come_back_as_a_tensor_of_the_data_shape(tmp_path):
    run = ebm.train(rbm_config(), out=tmp_path / "run")
    x = run.sample(300, steps=50)
    assert x.shape == (300, 16) and x.dtype == torch.float32
    assert set(x.unique().tolist()) <= {0.0, 1.0}
    # Bars and stripes: a trained RBM's samples are mostly the 30 patterns (uniform noise: 30/65536).
    rows = x.reshape(300, 4, 4)
    lines = ((rows.amin(2) == rows.amax(2)).all(1) | (rows.amin(1) == rows.amax(1)).all(1)).float().mean()
    assert lines > 0.2
    with pytest.raises(ValueError, match="sampler"):
        run.sample(10, steps=5, sampler="langevin")  # a continuous sampler cannot run on binary units


def test_config_errors_raise_value_error_with_the_command_lines_message(tmp_path):
    config = rbm_config()
    config["model"]["hidden"] = 0
    with pytest.raises(ValueError, match=r"model\.hidden = .0. is out of range"):
        ebm.train(config, out=tmp_path / "bad")
    assert not (tmp_path / "bad").exists()
    with pytest.raises(ValueError, match=r"train\.stepz"):
        ebm.train(rbm_config(), overrides=["train.stepz=4"], out=tmp_path / "bad")
    config = rbm_config()
    config["data"] = {"type": "file", "path": str(tmp_path / "missing.csv")}
    with pytest.raises(ValueError, match="missing.csv"):
        ebm.train(config, out=tmp_path / "bad")
    with pytest.raises(ValueError, match="no-such-file.yaml"):
        ebm.train(tmp_path / "no-such-file.yaml")
    with pytest.raises(ValueError, match="--bogus"):
        ebm.command("train", "--bogus")
    # The very message the command line prints (after its time stamp), located in the file.
    quickstart = os.path.join(ROOT, "experiments/quickstart.yaml")
    with pytest.raises(ValueError) as raised:
        ebm.train(quickstart, overrides=["model.hidden=0"], out=tmp_path / "bad")
    cli = subprocess.run([os.path.join(ROOT, "build/ebm"), "train", quickstart, "--set", "model.hidden=0", "--out",
                          str(tmp_path / "bad")], capture_output=True, text=True)
    assert cli.returncode == 2 and cli.stderr.strip().endswith("] " + str(raised.value)), (cli.stderr, str(raised.value))
    with pytest.raises(ValueError, match="holds no run"):
        ebm.Run(tmp_path)


def test_nothing_is_overwritten_unless_forced(tmp_path):
    first = ebm.train(rbm_config(), out=tmp_path / "run")
    with pytest.raises(ValueError, match="force"):
        ebm.train(rbm_config(steps=1000), out=tmp_path / "run")
    assert first.summary["steps"] == 2000
    assert ebm.train(rbm_config(steps=1000), out=tmp_path / "run", force=True).summary["steps"] == 1000


def test_ctrl_c_stops_training_with_a_checkpoint_and_the_run_resumes_to_the_same_end(tmp_path):
    config = rbm_config(steps=30000, log_every=1000, checkpoint_every=1000)
    whole = ebm.train(config, out=tmp_path / "whole")
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt, match="SIGINT"):
        ebm.train(config, out=tmp_path / "stopped")
    timer.join()
    stopped = ebm.Run(tmp_path / "stopped")
    assert stopped.summary["interrupted"] == "SIGINT" and 0 < stopped.summary["steps"] < 30000
    resumed = ebm.resume(stopped.dir)
    assert resumed.summary["final"]["exact_ll"] == whole.summary["final"]["exact_ll"]
    resumed.export(tmp_path / "resumed.safetensors")
    whole.export(tmp_path / "whole.safetensors")
    a, b = read_safetensors(tmp_path / "resumed.safetensors"), read_safetensors(tmp_path / "whole.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    # Python's own Ctrl-C handling is back afterwards.
    with pytest.raises(KeyboardInterrupt):
        os.kill(os.getpid(), signal.SIGINT)
        threading.Event().wait(1)


def test_catalogue_and_a_quick_failure_mode(tmp_path):
    names = [entry["name"] for entry in ebm.catalogue()]
    studies = sorted(f[:-5] for f in os.listdir(os.path.join(ROOT, "experiments/failure_modes")) if f.endswith(".yaml"))
    assert names == studies and "cd_bias" in names
    signature = ebm.reproduce("cd_not_a_gradient", quick=True, out=tmp_path / "study", threads=1)
    assert signature["name"] == "cd_not_a_gradient" and signature["reproduced"] is True
    assert all(check["holds"] for check in signature["checks"])
    with pytest.raises(ValueError, match="not a failure mode"):
        ebm.reproduce("cd_bais", quick=True)


def test_phases_compares_estimators_with_the_exact_gradient(tmp_path):
    config_file = tmp_path / "rbm.json"  # JSON is YAML
    config_file.write_text(json.dumps(rbm_config()))
    report = ebm.phases(config=config_file, out=tmp_path / "phases", k=[1, 100], repeats=40, burn_in=50)
    cosines = {row["name"]: row["cosine_to_exact"] for row in report["estimators"]}
    assert report["exact"] == "enumeration"
    assert cosines["cd-100"] > cosines["cd-1"] - 0.05 and cosines["cd-100"] > 0.5


class SmallEnergy(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(-1)


def test_a_python_energy_trains_and_scores_as_its_own_forward_with_the_trained_parameters(tmp_path):
    config = {"seed": 2, "threads": 1, "data": {"type": "eight_gaussians", "train_size": 1000, "held_out": 200},
              "objective": {"type": "denoising_score_matching", "noise_std": 0.3}, "optimizer": {"type": "adam", "lr": 0.01},
              "train": {"steps": 300, "batch_size": 100, "log_every": 100, "checkpoint_every": 100}}
    torch.manual_seed(0)
    energy = SmallEnergy()
    initial = {k: v.clone() for k, v in energy.state_dict().items()}
    run = ebm.train(config, out=tmp_path / "run", energy=energy)
    assert run.config["model"] == {"type": "torchscript", "path": str(tmp_path / "run" / "energy.pt")}
    assert all(torch.equal(v, initial[k]) for k, v in energy.state_dict().items())  # the caller's module is untouched
    run.export(tmp_path / "m.safetensors")
    trained = read_safetensors(tmp_path / "m.safetensors")
    assert sorted(trained) == sorted(initial)  # PyTorch's own names: net.0.weight, ...
    assert not torch.equal(trained["net.0.weight"], initial["net.0.weight"])
    energy.load_state_dict(trained)
    x = torch.randn(64, 2)
    with torch.no_grad():
        torch.testing.assert_close(run.energy(x), energy(x), rtol=1e-5, atol=1e-5)
    samples = run.sample(50, steps=20, sampler="langevin", step_size=0.01)
    assert samples.shape == (50, 2) and torch.isfinite(samples).all()


def test_an_energy_that_cannot_be_scripted_or_scores_wrongly_is_refused_saying_what_is_wrong(tmp_path):
    class VariableArguments(torch.nn.Module):
        def forward(self, *xs):  # TorchScript compiles no variable argument lists
            return xs[0].sum(1)

    class NotEnergies(torch.nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x  # [N, 2], not N energies

    config = {"data": {"type": "eight_gaussians"}, "sampler": {"type": "langevin"}, "train": {"steps": 10}}
    with pytest.raises(ValueError, match="torch.jit.script cannot compile VariableArguments"):
        ebm.train(config, out=tmp_path / "run", energy=VariableArguments())
    with pytest.raises(ValueError, match=r"^energy \(NotEnergies\): forward\(x\) must map a batch \[N, 2\] to N floating energies"):
        ebm.train(config, out=tmp_path / "run", energy=NotEnergies())
    with pytest.raises(ValueError, match="must be a torch.nn.Module"):
        ebm.train(config, out=tmp_path / "run", energy=lambda x: x)
    assert not (tmp_path / "run").exists()
