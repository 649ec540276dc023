// ebm._native: the framework inside a Python process (python/ebm/__init__.py is the API users
// see, docs/PYTHON.md its reference). Tensors cross as torch.Tensor without copies (LibTorch's
// own casters: Debian's python3-torch is built on the same LibTorch as libtorch-dev). Long work
// runs with the GIL released; while it runs, SIGINT and SIGTERM ask it to stop at its next step
// boundary (keeping the work) and it ends as KeyboardInterrupt; logs go to Python's `logging`
// (logger "ebm"); errors come back as ValueError (a bad config, flag or input file, with the
// command line's message), KeyboardInterrupt, MemoryError or RuntimeError.
#include <torch/csrc/utils/pybind.h>

#include <pybind11/functional.h>
#include <pybind11/stl.h>
#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <pthread.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <ctime>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/command_line.h"
#include "config/schema.h"
#include "io/interrupt.h"
#include "io/out_of_memory.h"
#include "workflow/generation.h"
#include "workflow/system_info.h"
#include "workflow/trained_experiment.h"
#include "workflow/training_run.h"

namespace py = pybind11;
using namespace ebm;
using namespace ebm::experiments;

namespace {

// spdlog's messages as records of the Python logger "ebm" (its levels mapped one to one). The GIL
// orders them: a mutex of its own, taken before the GIL, could deadlock with a thread that holds
// the GIL and logs.
class PythonLoggingSink : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    static const int levels[] = {5, 10, 20, 30, 40, 50, 0};  // trace ... critical, off
    py::gil_scoped_acquire gil;
    py::module_::import("logging")
        .attr("getLogger")("ebm")
        .attr("log")(levels[message.level], std::string(message.payload.data(), message.payload.size()));
  }
  void flush_() override {}
};

// While alive (around work that runs with the GIL released): the first SIGINT or SIGTERM asks the
// work to stop at its next step boundary, the second ends the process as the signal's default
// action does (the command line's rule, io/interrupt.h). The calling thread blocks both and a
// waiter thread takes them; threads started earlier without the block (LibTorch's OpenMP pool)
// record them in a handler that only stores the request. Python's handlers come back after.
class StopOnSignals {
 public:
  StopOnSignals() {
    io::clear_interrupt();
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, &previous_mask_);
    struct sigaction action = {};
    action.sa_handler = record;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_int_);
    sigaction(SIGTERM, &action, &previous_term_);
    waiter_ = std::thread([this] {
      const timespec tick = {0, 50 * 1000 * 1000};
      while (!done_) {
        const int signal = sigtimedwait(&signals_, nullptr, &tick);
        if (signal > 0) record(signal);
      }
    });
  }
  ~StopOnSignals() {
    done_ = true;
    waiter_.join();
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
    pthread_sigmask(SIG_SETMASK, &previous_mask_, nullptr);
  }
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

 private:
  static void record(int signal) {  // async-signal-safe: an atomic store, write, signal, kill
    if (io::pending_interrupt() != 0) {
      std::signal(signal, SIG_DFL);
      sigset_t one;
      sigemptyset(&one);
      sigaddset(&one, signal);
      pthread_sigmask(SIG_UNBLOCK, &one, nullptr);
      kill(getpid(), signal);
      return;
    }
    io::request_interrupt(signal);
    static const char message[] = "\nstopping at the next step boundary (saving the work); signal again to end at once\n";
    ssize_t ignored = ::write(STDERR_FILENO, message, sizeof(message) - 1);
    (void)ignored;
  }
  sigset_t signals_, previous_mask_;
  struct sigaction previous_int_, previous_term_;
  std::atomic<bool> done_{false};
  std::thread waiter_;
};

// Runs `work` with the GIL released and the signals above; a stop asked for while it ran that it
// did not honour (it finished first) still ends as KeyboardInterrupt, as Ctrl-C does in Python.
template <class Work>
auto run_released(Work&& work) {
  StopOnSignals stop;
  auto result = [&] {
    py::gil_scoped_release released;
    return work();
  }();
  if (const int signal = io::pending_interrupt()) {
    io::clear_interrupt();
    throw io::Interrupted("stopped by " + io::signal_name(signal) + " after the work had finished", signal);
  }
  return result;
}

// What a logged metric row becomes for a Python callback: JSON text, read by the package.
TrainingObserver observer_calling(const py::object& progress) {
  if (progress.is_none()) return nullptr;
  return [progress](const nlohmann::ordered_json& row, Experiment&) {
    py::gil_scoped_acquire gil;
    progress(row.dump());
  };
}

// A trained run's model, loaded once: energies and samples as tensors.
class TrainedModel {
 public:
  TrainedModel(const std::string& run_dir, const std::string& sampler, const std::vector<std::string>& overrides)
      : experiment_(load_trained_experiment(run_dir, &step_, overrides)) {
    std::string note;
    experiment_.sampler = drawing_sampler(experiment_, sampler, "sampler", &note);
    if (!note.empty()) spdlog::info("{}", note);
    experiment_.model->eval();
  }
  // E(x) for a batch x [N, D] (moved to the model's device and dtype only where they differ).
  torch::Tensor energy(const torch::Tensor& x) {
    const auto parameters = experiment_.model->parameters();
    const torch::Tensor like = parameters.empty() ? x : parameters.front();
    if (x.dim() != 2 || x.size(1) != experiment_.data->dim()) {
      throw ConfigError("energy: x must have shape [N, " + std::to_string(experiment_.data->dim()) + "], not " +
                        c10::str(x.sizes()));
    }
    torch::NoGradGuard no_grad;
    return experiment_.model->energy(x.to(like.device(), like.scalar_type()));
  }
  torch::Tensor sample(int64_t n, int64_t steps) {
    if (n < 1 || steps < 1) throw ConfigError("sample: n and steps must be at least 1");
    torch::NoGradGuard no_grad;
    return generate_samples(experiment_, *experiment_.sampler, n, steps);
  }
  int64_t step() const { return step_; }
  std::string sampler_name() const { return experiment_.sampler->name(); }

 private:
  int64_t step_ = 0;
  Experiment experiment_;
};

}  // namespace

PYBIND11_MODULE(_native, m) {
  m.doc() = "the compiled part of the ebm package (use the package: import ebm)";
  keep_large_blocks_on_the_heap();  // as the command line does: training reuses its blocks
  auto logger = std::make_shared<spdlog::logger>("ebm", std::make_shared<PythonLoggingSink>());
  spdlog::set_default_logger(logger);
  // At exit Python goes first: what logs after it (static destructors) goes to stderr.
  py::module_::import("atexit").attr("register")(py::cpp_function([] {
    auto stderr_logger = spdlog::stderr_logger_mt("ebm-exit");
    stderr_logger->set_pattern("[%H:%M:%S] %v");
    spdlog::set_default_logger(stderr_logger);
  }));
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const io::Interrupted& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    } catch (const io::InputError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const std::bad_alloc&) {
      PyErr_SetString(PyExc_MemoryError, "out of memory");
    } catch (const io::OutOfMemory& e) {
      PyErr_SetString(PyExc_MemoryError, e.what());
    } catch (const c10::Error& e) {
      PyErr_SetString(PyExc_RuntimeError, io::describe_torch_error(e).c_str());
    }
  });

  m.def(
      "command",
      [](const std::vector<std::string>& args) {
        std::vector<std::string> argv = {"ebm"};
        argv.insert(argv.end(), args.begin(), args.end());
        std::ostringstream out;
        const int status = run_released([&] {
          std::streambuf* previous = std::cout.rdbuf(out.rdbuf());
          struct Restore {
            std::streambuf* previous;
            ~Restore() { std::cout.rdbuf(previous); }
          } restore{previous};
          return run_command_line(argv);
        });
        return py::make_tuple(status, out.str());
      },
      py::arg("args"), "runs `ebm ARGS...` in this process: (exit status, what it printed)");
  m.def(
      "train",
      [](const std::string& yaml, const std::string& origin, const std::string& default_name,
         const std::vector<std::string>& overrides, const std::string& out, bool force, const py::object& progress) {
        const Config config = Config::parse(yaml, origin, overrides, experiment_schema());
        const auto observer = observer_calling(progress);
        return run_released([&] { return train_new_run(config, default_name, out, force, false, observer).summary.dump(); });
      },
      py::arg("yaml"), py::arg("origin"), py::arg("default_name"), py::arg("overrides"), py::arg("out"), py::arg("force"),
      py::arg("progress"), "trains a new run of the config text; its summary as JSON");
  m.def(
      "resume",
      [](const std::string& dir, const std::vector<std::string>& overrides, const py::object& progress) {
        const auto observer = observer_calling(progress);
        return run_released([&] { return resume_run(dir, overrides, observer).summary.dump(); });
      },
      py::arg("dir"), py::arg("overrides"), py::arg("progress"), "trains the run in DIR further; its summary as JSON");

  py::class_<TrainedModel>(m, "TrainedModel", "a trained run's model (its last checkpoint)")
      .def(py::init([](const std::string& run_dir, const std::string& sampler, const std::vector<std::string>& overrides) {
             return run_released([&] { return std::make_unique<TrainedModel>(run_dir, sampler, overrides); });
           }),
           py::arg("run_dir"), py::arg("sampler"), py::arg("overrides"))
      .def("energy", [](TrainedModel& model, const torch::Tensor& x) { return run_released([&] { return model.energy(x); }); })
      .def("sample", [](TrainedModel& model, int64_t n, int64_t steps) {
        return run_released([&] { return model.sample(n, steps); });
      })
      .def_property_readonly("step", &TrainedModel::step)
      .def_property_readonly("sampler", &TrainedModel::sampler_name);
}
