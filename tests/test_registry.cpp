// The registry: every registered component of every section builds from its defaults on a
// small model it accepts (and trains two steps), and is refused, with a located message, on one
// it does not accept; every config shipped under experiments/ validates.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "config/components.h"
#include "config/schema.h"
#include "samplers/langevin.h"
#include "experiments/study.h"
#include "support/scripted_energy.h"
#include "test_support.h"

namespace ebm::experiments {
namespace {

// A binary latent-variable model (a 4-pixel RBM) and a continuous 2-D one without latents.
const std::string kBinary = "data: {type: bars_and_stripes, size: 2}\nmodel: {type: bernoulli_rbm, hidden: 3}\n";
const std::string kContinuous =
    "data: {type: eight_gaussians, train_size: 200, held_out: 50}\nmodel: {type: mlp, width: 8, depth: 2}\n"
    "sampler: {type: langevin, steps: 2}\n";
const std::string kCommon =
    "seed: 1\nthreads: 1\ntrain: {steps: 2, batch_size: 8, log_every: 1}\n"
    "eval: {ais_chains: 4, ais_betas: 20, grid_resolution: 20, samples: 50}\n";

// A base config whose model `accepts` takes (the binary RBM first), and one it refuses, each
// with the overrides that finish it.
struct Base {
  std::string yaml;
  std::vector<std::string> overrides;
  bool binary() const { return yaml == kBinary; }
};
Base accepted_base(const Accepts& a) {
  const bool plane = a.two_dimensional || a.known_density;
  if (a.gaussian) return {kContinuous, {"model.type=gaussian"}};
  if (a.graph) return {kBinary, {"model.type=ising"}};  // a pairwise model on a graph
  return {a.accepts(Domain::Binary) && !plane ? kBinary : kContinuous, {}};
}
std::optional<Base> refused_base(const Accepts& a) {
  if (a.gaussian) return Base{kContinuous, {}};  // an MLP energy
  if (a.graph) return Base{kBinary, {}};         // the RBM: no graph of its own
  if (!a.accepts(Domain::Binary)) return Base{kBinary, {}};
  if (!a.accepts(Domain::Continuous) || a.latent_variable) return Base{kContinuous, {}};
  if (a.known_density) return Base{kContinuous, {"data.type=two_moons"}};  // 2-D, density unknown
  if (a.two_dimensional) return Base{kContinuous, {"data.type=fashion_mnist", "data.train_size=20", "data.held_out=4"}};
  return std::nullopt;
}

// Builds the experiment and trains it two steps; "" on success, else the ConfigError's text.
std::string build_and_train(const std::string& base, const std::vector<std::string>& overrides) {
  try {
    Config c = Config::parse(base + kCommon, "registry_test.yaml", overrides, experiment_schema());
    Experiment e = build_experiment(c, "registry_test");
    trainers::Trainer trainer(e.model, e.objective, std::move(e.optimizer), *e.data, e.evaluators, e.train_options);
    trainer.run();
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

// Every component of a section: accepted base builds and trains; refused base fails at `key`.
template <class Factory>
void check_section(const Registry<Factory>& registry, const std::string& key,
                   const std::function<std::vector<std::string>(const std::string& name, bool binary)>& select) {
  ASSERT_FALSE(registry.components().empty());
  for (const auto& component : registry.components()) {
    SCOPED_TRACE(registry.section() + " " + component.name);
    const Base good = accepted_base(component.accepts);
    auto overrides = good.overrides;
    for (const auto& o : select(component.name, good.binary())) overrides.push_back(o);
    EXPECT_EQ(build_and_train(good.yaml, overrides), "");
    if (auto bad = refused_base(component.accepts)) {
      overrides = bad->overrides;
      for (const auto& o : select(component.name, bad->binary())) overrides.push_back(o);
      const auto message = build_and_train(bad->yaml, overrides);
      const std::string where = key.empty() ? registry.section() + "." + component.name : key;
      EXPECT_NE(message.find(": " + where + ": "), std::string::npos) << message;
      EXPECT_NE(message.find("--set "), std::string::npos) << "not located: " << message;
    }
  }
}

TEST(Registry, EverySamplerRunsOnAModelItAcceptsAndIsRefusedOnOneItDoesNot) {
  check_section(sampler_registry(), "sampler.type",
                [](const std::string& name, bool) { return std::vector<std::string>{"sampler.type=" + name}; });
}

TEST(Registry, EveryObjectiveTrainsAModelItAcceptsAndRefusesOneItDoesNot) {
  check_section(objective_registry(), "objective.type", [](const std::string& name, bool binary) {
    std::vector<std::string> o = {"objective.type=" + name};
    if (name == "nce" && binary) o.push_back("objective.noise=bernoulli");
    return o;
  });
}

TEST(Registry, EveryNoiseFitsDataOfItsDomainOnly) {
  check_section(noise_registry(), "objective.noise", [](const std::string& name, bool) {
    return std::vector<std::string>{"objective.type=nce", "objective.noise=" + name};
  });
}

TEST(Registry, EveryEvaluatorScoresAModelItAcceptsAndRefusesOneItDoesNot) {
  check_section(evaluator_registry(), "", [](const std::string& name, bool) {
    return std::vector<std::string>{"eval." + name + "=true"};
  });
}

TEST(Registry, EveryChainSourceOptimiserAndScheduleTrains) {
  check_section(chain_source_registry(), "objective.chain_source", [](const std::string& name, bool) {
    return std::vector<std::string>{"objective.chain_source=" + name};
  });
  check_section(optimizer_registry(), "optimizer.type",
                [](const std::string& name, bool) { return std::vector<std::string>{"optimizer.type=" + name}; });
  check_section(schedule_registry(), "train.lr_schedule",
                [](const std::string& name, bool) { return std::vector<std::string>{"train.lr_schedule=" + name}; });
}

// Models and data choose each other: each model on data of each domain it accepts (a binary
// model with no conditionals sampled one unit at a time), and refused on a domain it does not.
TEST(Registry, EveryModelFitsDataOfItsDomainAndRefusesTheOther) {
  for (const auto& model : model_registry().components()) {
    SCOPED_TRACE(model.name);
    const bool rbm = model.name == "bernoulli_rbm" || model.name == "gaussian_bernoulli_rbm" || model.name == "rbm";
    std::vector<std::string> needs = {"model.type=" + model.name};  // the keys a model cannot do without
    if (rbm) needs.push_back(model.name == "rbm" ? "model.hidden.units=3" : "model.hidden=3");
    if (model.name == "torchscript") needs.push_back("model.path=" + testing::scripted_energy_file());
    for (const Domain domain : {Domain::Binary, Domain::Continuous}) {
      const bool binary = domain == Domain::Binary;
      if (!model.accepts.accepts(domain)) {
        const auto message = build_and_train(binary ? kBinary : kContinuous, needs);
        EXPECT_NE(message.find("model.type: "), std::string::npos) << message;
        continue;
      }
      auto select = needs;
      if (model.name == "convnet") {
        select.insert(select.begin(), {"data.type=fashion_mnist", "data.train_size=20", "data.held_out=4"});
        select.push_back("model.base_channels=2");
      }
      if (binary && !rbm) select.push_back("sampler.type=random_scan_gibbs");
      if (model.name == "rbm" && !binary) select.push_back("model.visible.type=gaussian");  // its layer follows the data
      EXPECT_EQ(build_and_train(binary ? kBinary : kContinuous, select), "") << (binary ? "binary" : "continuous");
    }
  }
  // What a model needs beyond a domain is checked too, at the model's key.
  EXPECT_NE(build_and_train(kContinuous, {"model.type=convnet"}).find("model.type: convnet needs square"), std::string::npos);
  EXPECT_NE(build_and_train(kContinuous, {"data.type=two_moons", "model.type=data_density"}).find("model.type: data_density needs data with a known density"),
            std::string::npos);
}

TEST(Registry, EveryDataSetBuildsForAModelOfItsDomain) {
  const auto dir = testing::scratch_dir();
  testing::write_text(dir / "rows.csv", "0.5,1\n2,3\n4,5.5\n");
  for (const auto& data : data_registry().components()) {
    SCOPED_TRACE(data.name);
    std::vector<std::string> select = {"data.type=" + data.name};
    if (data.name == "fashion_mnist" || data.name == "mnist") select.insert(select.end(), {"data.train_size=20", "data.held_out=4"});
    if (data.name == "file") select.push_back("data.path=" + (dir / "rows.csv").string());
    EXPECT_EQ(build_and_train(data.accepts.accepts(Domain::Continuous) ? kContinuous : kBinary, select), "");
  }
}

// The schema and the command line take their names from the registry, so nothing is listed
// that cannot be built, and nothing registered is missing.
TEST(Registry, SchemaListsExactlyTheRegisteredNames) {
  const auto& schema = experiment_schema();
  auto variants_of = [&](const std::string& section) {
    std::vector<std::string> names;
    for (const auto& f : schema.fields) {
      if (f.name == section) {
        for (const auto& [name, unused] : f.variants) names.push_back(name);
      }
    }
    return names;
  };
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  EXPECT_EQ(variants_of("model"), sorted(model_registry().names()));
  EXPECT_EQ(variants_of("sampler"), sorted(sampler_registry().names()));
  EXPECT_EQ(variants_of("objective"), sorted(objective_registry().names()));
  EXPECT_EQ(variants_of("data"), sorted(data_registry().names()));
  EXPECT_EQ(variants_of("optimizer"), sorted(optimizer_registry().names()));
  auto usage = testing::run_ebm("eval --help");
  for (const auto& name : evaluator_registry().names()) EXPECT_NE(usage.output.find(name), std::string::npos) << name;
}

TEST(Registry, EveryShippedConfigValidates) {
  int count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(std::string(EBM_SOURCE_DIR) + "/experiments")) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    // The failure modes are study files; their `experiment` sections are experiment configs.
    const bool study = entry.path().parent_path().filename() == "failure_modes";
    EXPECT_NO_THROW(Config::load(entry.path().string(), {}, study ? study_schema() : experiment_schema()));
    ++count;
  }
  EXPECT_GE(count, 12);
}


TEST(Registry, PicturesFallBackToTheFirstFittingSamplerWithItsOwnDefaults) {
  // Score matching runs no sampler, so the config's sampler (the default, gibbs) may not fit the
  // MLP; the pictures then take the first sampler that does, with the defaults of its section.
  Config c = Config::parse(kContinuous + kCommon, "registry_test.yaml", {"objective.type=score_matching", "sampler.type=gibbs"},
                           experiment_schema());
  Experiment e = build_experiment(c, "registry_test");
  std::string note;
  auto sampler = sampler_for_pictures(e, &note);
  ASSERT_NE(sampler, nullptr);
  EXPECT_EQ(sampler->name(), "langevin");
  EXPECT_EQ(note, "the configured gibbs sampler cannot run on mlp; the pictures use langevin with its defaults");
  const Config defaults = Config::section_defaults(sampler_registry().schema(), "langevin");
  EXPECT_EQ(defaults.get<double>("sampler.step_size"), samplers::LangevinOptions().step_size());
  EXPECT_EQ(defaults.get<int64_t>("sampler.steps"), 20);
  EXPECT_THROW(Config::section_defaults(sampler_registry().schema(), "no_such_sampler"), ConfigError);
}

}  // namespace
}  // namespace ebm::experiments
