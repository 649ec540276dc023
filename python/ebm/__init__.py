"""ebm: energy-based models trained by the C++ framework, from Python.

    import ebm
    run = ebm.train("experiments/gmm8_langevin.yaml", overrides=["train.steps=400"], out="runs/gmm")
    run.metrics[-1]["grid_ll"]          # the last logged row, as a dict
    x = run.sample(1000, steps=500)     # torch.Tensor [1000, 2]
    e = run.energy(x)                   # torch.Tensor [1000]

Training, sampling and the tools run in this process, on the same LibTorch as `torch`, with
the GIL released; Ctrl-C stops training at its next step, keeps a checkpoint and raises
KeyboardInterrupt (`ebm.resume(run.dir)` continues). Logs go to the `logging` logger "ebm"
(`logging.basicConfig(level=logging.INFO)` shows the progress lines). A bad config, flag or
input file raises ValueError with the command line's message. Reference: docs/PYTHON.md.
"""

import json
import logging
import os
import tempfile

import torch  # first: the compiled part passes tensors through torch's own bindings

from . import _native

__all__ = ["train", "resume", "Run", "reproduce", "catalogue", "phases", "command"]

logging.getLogger("ebm").addHandler(logging.NullHandler())


def command(*args):
    """Runs `ebm ARGS...` in this process; returns what it printed (stdout). A non-zero exit
    status raises RuntimeError (errors in the arguments raise ValueError)."""
    status, out = _native.command([str(a) for a in args])
    if status != 0:
        raise RuntimeError("ebm {} ended with exit status {}: {}".format(" ".join(map(str, args)), status, out.strip()))
    return out


def _progress_callback(progress):
    if progress is None:
        return None
    return lambda text: progress(json.loads(text))


def train(config, overrides=(), out=None, force=False, energy=None, progress=None):
    """Trains a new run and returns it as a Run.

    config:    a YAML file's path, or the config as a dict (the same keys).
    overrides: "key=value" strings, as --set takes them ("train.steps=400").
    out:       the run directory (default runs/<name>, or runs/<name>-2, ... where taken).
    force:     replace the run already in `out` (it is deleted only once the new run has a checkpoint).
    energy:    a torch.nn.Module whose forward(x) maps [N, D] to N energies; it replaces the
               config's model (scripted here with torch.jit.script unless it already is; the run
               keeps a copy, energy.pt, so it resumes, samples and exports without this object).
    progress:  called with each logged metric row (a dict) as training goes.
    """
    if isinstance(config, dict):
        # JSON is YAML; indented, a message's line and column point into it.
        text, origin, default_name = json.dumps(config, indent=2), "the config dict", "python"
    else:
        path = os.fspath(config)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as error:
            raise ValueError("{}: cannot read the config: {}".format(path, error.strerror)) from None
        origin, default_name = path, os.path.splitext(os.path.basename(path))[0]
    overrides = [str(o) for o in overrides]
    with tempfile.TemporaryDirectory(prefix="ebm-energy-") as scratch:
        if energy is not None:
            if not isinstance(energy, torch.nn.Module):
                raise ValueError("energy must be a torch.nn.Module, not {}".format(type(energy).__name__))
            scripted = energy if isinstance(energy, torch.jit.ScriptModule) else _scripted(energy)
            energy_file = os.path.join(scratch, "energy.pt")
            scripted.save(energy_file)
            overrides = ["model.type=torchscript", "model.path=" + energy_file] + overrides
        try:
            summary = _native.train(text, origin, default_name, overrides, "" if out is None else os.fspath(out),
                                    bool(force), _progress_callback(progress))
        except ValueError as error:
            if energy is None:
                raise
            # Messages about the module name it, not the temporary file it was saved to.
            name = "energy ({})".format(type(energy).__name__)
            message = str(error).replace("--set model.path={0}: model.path: '{0}'".format(energy_file), name)
            raise ValueError(message.replace(energy_file, name)) from None
    return Run(json.loads(summary)["run"])


def _scripted(energy):
    try:
        return torch.jit.script(energy)
    except Exception as error:  # TorchScript's own errors, or OSError where the class has no source file
        raise ValueError("energy: torch.jit.script cannot compile {} ({}: {}); define it in a file, or pass "
                         "torch.jit.trace(energy, example_batch)".format(type(energy).__name__, type(error).__name__,
                                                                          str(error).strip().splitlines()[0]
                                                                          if str(error).strip() else "")) from error


def resume(run_dir, overrides=(), progress=None):
    """Trains the run in `run_dir` further from its last checkpoint (raise train.steps with
    overrides=["train.steps=N"] to go past the end); returns the Run."""
    summary = _native.resume(os.fspath(run_dir), [str(o) for o in overrides], _progress_callback(progress))
    return Run(json.loads(summary)["run"])


class Run:
    """A run directory that `ebm train` (or ebm.train) wrote."""

    def __init__(self, dir):
        self.dir = os.fspath(dir)
        if not os.path.isfile(os.path.join(self.dir, "config.yaml")):
            raise ValueError("{}: holds no run (no config.yaml)".format(self.dir))
        self._models = {}

    def __repr__(self):
        return "ebm.Run({!r})".format(self.dir)

    def _file(self, name):
        return os.path.join(self.dir, name)

    @property
    def config(self):
        """The resolved config (every key, defaults included), as a dict."""
        import yaml  # python3-yaml, which python3-torch depends on

        with open(self._file("config.yaml"), encoding="utf-8") as f:
            return yaml.safe_load(f)

    @property
    def summary(self):
        """summary.json as a dict (final and best metrics, steps, wall time), or None before
        the run has one."""
        try:
            with open(self._file("summary.json"), encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            return None

    @property
    def metrics(self):
        """The logged metric rows (metrics.jsonl), each a dict; none before the first is logged."""
        try:
            with open(self._file("metrics.jsonl"), encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def _model(self, sampler=None, settings=None):
        overrides = []
        if sampler is not None:
            overrides.append("sampler.type=" + sampler)
        overrides += ["sampler.{}={}".format(k, v) for k, v in (settings or {}).items()]
        # A model per sampler setting, loaded again once the run has a newer checkpoint.
        key = (tuple(overrides), os.stat(self._file("checkpoint.pt")).st_mtime_ns)
        if key not in self._models:
            self._models[key] = _native.TrainedModel(self.dir, sampler or "", overrides)
        return self._models[key]

    @property
    def step(self):
        """The step of the last checkpoint."""
        return self._model().step

    def energy(self, x):
        """Energies E(x) [N] of the last checkpoint's model for a batch x [N, D] (a tensor, or
        anything torch.as_tensor takes)."""
        return self._model().energy(torch.as_tensor(x))

    def sample(self, n=1000, steps=1000, sampler=None, **settings):
        """n samples [n, D]: chains from the objective's noise after `steps` transitions of the
        run's sampler, or of `sampler` (a type, e.g. "mala") with its keys in `settings`."""
        return self._model(sampler, settings).sample(int(n), int(steps))

    def export(self, path, force=False):
        """Writes the model's parameters as safetensors (its config inside); returns what
        `ebm export` reports, as a dict."""
        return json.loads(command("export", "--run", self.dir, "--out", os.fspath(path), *(["--force"] if force else [])))

    def eval(self, metric, **settings):
        """Evaluates `metric` (exact_ll, ais, raise, ...) on the last checkpoint; settings are
        the flags of `ebm eval` (betas=10000, repeats=5, check_schedule=True); returns a dict."""
        args = ["eval", "--run", self.dir, "--metric", metric]
        for key, value in settings.items():
            flag = "--" + key.replace("_", "-")
            if value is True:
                args.append(flag)
            elif value is not False:
                args += [flag, str(value)]
        return json.loads(command(*args).strip().splitlines()[-1])


def reproduce(name, quick=False, out=None, force=False, overrides=(), threads=None):
    """Reproduces a failure mode of the catalogue (or a study file); returns its signature
    (signature.json) as a dict, whose "reproduced" says whether the failure showed."""
    args = ["reproduce", name] + (["--quick"] if quick else []) + (["--force"] if force else [])
    if out is not None:
        args += ["--out", os.fspath(out)]
    if threads is not None:
        args += ["--threads", str(threads)]
    for o in overrides:
        args += ["--set", str(o)]
    status, printed = _native.command(args)
    with open(printed.strip().splitlines()[-1], encoding="utf-8") as f:
        return json.load(f)


def catalogue():
    """The failure modes `reproduce` knows: a list of {"name", "summary"}."""
    entries = []
    for line in command("reproduce", "--list").splitlines():
        name, _, summary = line.partition(" ")
        entries.append({"name": name, "summary": summary.strip()})
    return entries


def phases(config=None, run=None, out=None, force=False, overrides=(), **settings):
    """Positive and negative phases of one batch, and CD-k, PCD and parallel-tempering gradient
    estimates against the exact gradient (`ebm phases`): a config's initialised model or a run's
    trained one; settings are its flags (k=[1, 10], repeats=500, burn_in=200). Returns
    phases.json as a dict."""
    if (config is None) == (run is None):
        raise ValueError("phases needs a config or a run (one of them)")
    args = ["phases"] + ([os.fspath(config)] if config is not None else ["--run", os.fspath(run)])
    if out is not None:
        args += ["--out", os.fspath(out)]
    if force:
        args.append("--force")
    for o in overrides:
        args += ["--set", str(o)]
    for key, value in settings.items():
        flag = "--" + key.replace("_", "-")
        args += [flag, ",".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)]
    with open(command(*args).strip().splitlines()[-1], encoding="utf-8") as f:
        return json.load(f)
